/** What the demo's cards show of an answer: its status and JSON body, or the network error. */
export type Result =
  { status: number; body: Record<string, unknown> | null } | { error: string } | null;

/** Reads an answer for display; a body that is not JSON shows as null. */
export async function readResult(response: Response): Promise<Result> {
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown> | null,
  };
}
