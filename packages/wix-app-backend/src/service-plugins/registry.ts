/**
 * The app's registered plugins, looked up as Wix calls them: the plugin by the verified
 * `metadata.appExtensionType` (case-insensitively, as `@wix/sdk` does), the method by the end of
 * the URL path — so an extension's `deploymentUri` may be the entry itself or any path under it,
 * and older shipping set-ups that put `/v1/getRates` in the `deploymentUri` still route.
 */
import type { RegisteredMethod, ServicePluginRegistration } from './define-service-plugin';

export interface ServicePluginRegistry {
  /** The method for this call, or why there is none. */
  find(
    appExtensionType: string,
    path: string,
  ): { ok: true; method: RegisteredMethod } | { ok: false; detail: string };
  /** The registered plugin types, as Wix spells them. */
  readonly types: readonly string[];
}

export function createServicePluginRegistry(
  registrations: readonly ServicePluginRegistration[] = [],
): ServicePluginRegistry {
  const byType = new Map<string, ServicePluginRegistration>();
  for (const registration of registrations) {
    const key = registration.type.toLowerCase();
    // Two handlers for one plugin: which one answers would depend on the list's order.
    if (byType.has(key)) throw new Error(`service plugin ${registration.type} is registered twice`);
    byType.set(key, registration);
  }
  return {
    types: registrations.map((registration) => registration.type),
    find(appExtensionType, path) {
      const registration = byType.get(appExtensionType.toLowerCase());
      if (!registration)
        return { ok: false, detail: `No handlers are registered for ${appExtensionType}.` };
      const trimmed = path.replace(/\/+$/, '');
      const method = registration.methods.find((m) => trimmed.endsWith(m.path));
      if (!method)
        return {
          ok: false,
          detail: `${registration.type} has no registered method at this path; it serves ${
            registration.methods.map((m) => m.path).join(', ') || 'none'
          }.`,
        };
      return { ok: true, method };
    },
  };
}
