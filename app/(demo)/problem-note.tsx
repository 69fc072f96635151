/** How the demo's cards show a problem response: its stable `code`, and the `detail` if any. */

export interface ProblemStatus {
  kind: 'error';
  code: string;
  detail?: string;
}

/** The problem in a response body (RFC 9457), or `http_<status>` when the body has none. */
export function problemStatus(body: Record<string, unknown>, status: number): ProblemStatus {
  return {
    kind: 'error',
    code: typeof body.code === 'string' ? body.code : `http_${status}`,
    detail: typeof body.detail === 'string' ? body.detail : undefined,
  };
}

export function ProblemNote({ problem, testId }: { problem: ProblemStatus; testId: string }) {
  return (
    <p role="alert">
      <span className="bad">Error</span> <code data-testid={testId}>{problem.code}</code>
      {problem.detail && <> — {problem.detail}</>}
    </p>
  );
}

/** A request that got no answer at all (offline, CORS refusal, a server that is down). */
export function networkError(error: unknown): ProblemStatus {
  return {
    kind: 'error',
    code: 'network_error',
    detail: error instanceof Error ? error.message : String(error),
  };
}
