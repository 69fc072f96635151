/**
 * Service plugins (`wix-app-backend/service-plugins`): what an app imports to implement them —
 * the ecom plugin definitions (Additional Fees, Shipping Rates, Validations, Gift Cards, Tax
 * Calculation, Discount Triggers), `defineServicePlugin` for any other, and `ServicePluginError` for
 * a business answer. docs/service-plugins.md.
 */
export {
  additionalFees,
  discountTriggers,
  giftCards,
  noFees,
  shippingRates,
  taxCalculation,
  validations,
  DecimalString,
} from './ecom';
export {
  defineServicePlugin,
  DEFAULT_SERVICE_PLUGIN_DEADLINE_MS,
  type DeadlineAnswer,
  type DeadlineContext,
  type ServicePluginContext,
  type ServicePluginDefinition,
  type ServicePluginHandler,
  type ServicePluginHandlers,
  type ServicePluginMethodSpec,
  type ServicePluginOptions,
  type ServicePluginRegistration,
} from './define-service-plugin';
export { ServicePluginError, isServicePluginError } from './service-plugin-error';
export type { ServicePluginIdentity, ServicePluginMetadata } from './verify-service-plugin-request';
