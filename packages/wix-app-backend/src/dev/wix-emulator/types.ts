/** Public types of the Wix API emulator (src/dev/wix-emulator.ts). */

/** Who a Wix access token represents (docs/wix-protocol.md, "Access tokens and Token Info"). */
export type SubjectType = 'USER' | 'MEMBER' | 'VISITOR' | 'APP';

/**
 * Injected failures for the three Wix endpoints (never the control endpoints). A `count` is how
 * many upcoming matching requests get that fault; latency applies until the faults are cleared.
 */
export interface Faults {
  latencyMs?: number;
  status429?: { count: number; retryAfterSeconds?: number };
  status500?: { count: number };
  /** Destroys the socket without answering, as a dropped connection would. */
  drop?: { count: number };
  /** Limits the faults to these request paths (e.g. `/oauth2/token`). */
  paths?: string[];
}

export interface EmulatorStats {
  /** Successful client-credentials mints. */
  tokensMinted: number;
  tokensMintedPerInstance: Record<string, number>;
  /** Token Info requests that reached the handler (faulted ones are counted in faultsInjected). */
  tokenInfoCalls: number;
  /** Authenticated Get App Instance calls per instance, rate-limited ones included. */
  apiCallsPerInstance: Record<string, number>;
  /** Every request outside `/_emulator/`, faulted, malformed and unknown ones included. */
  requests: number;
  faultsInjected: { latency: number; status429: number; status500: number; dropped: number };
}

/** What a site widget, settings panel or dashboard SDK call would carry (`fetchWithAuth`). */
export interface WidgetTokenOptions {
  instanceId: string;
  /** Default `VISITOR`, the least privileged subject. */
  subjectType?: SubjectType;
  /** Default: a random GUID. */
  subjectId?: string;
  /** The app that created the token; default the emulated app. Tests pass another app's id. */
  clientId?: string;
  /** Default: the site derived from `instanceId`, as Get App Instance reports it. */
  siteId?: string;
  ttlSeconds?: number;
  /** False issues a token Token Info reports inactive. */
  active?: boolean;
  /** Leaves `instanceId` out of Token Info answers, which a backend must reject. */
  omitInstanceId?: boolean;
}

export interface InstanceSettings {
  /**
   * A paid plan, or null for the free plan; absent leaves the plan unchanged. A new paid plan
   * renews automatically; its cycle defaults to MONTHLY and its expiry to one period from now.
   */
  paid?: { vendorProductId: string; billingCycle?: string; expirationDate?: string } | null;
  /** Whether the paid plan renews (a cancelled auto-renewal is false); ignored on the free plan. */
  autoRenewing?: boolean;
  /** A removed (uninstalled) app: its tokens stop working and no new ones are minted. */
  removed?: boolean;
}
