/**
 * What the e2e files share to talk to a running server: one HTTP exchange read whole, the
 * servers' output printed when a test fails, and a project script (`npm run <script>`) run in
 * its own process group with a bound.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeEach, onTestFailed } from 'vitest';
import { nextEnv, type NextServer, type ServerEnv } from './next-server';
import { PROJECT_ROOT } from './paths';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON body; `{}` when the body is not JSON (assertions then fail with `text` in view). */
  body: Record<string, unknown>;
  ms: number;
}

/** One request, its body read whole; 20 s at most. */
export async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: see the doc comment of `body`.
  }
  return { status: response.status, headers: response.headers, text, body, ms };
}

/** On a failed test, prints what each server printed: the reason is usually there. */
export function printOutputOnFailure(servers: () => Array<NextServer | undefined>): void {
  beforeEach(() => {
    onTestFailed(() => {
      for (const server of servers()) {
        console.log(`next start output:\n${server ? server.output() : '(not started)'}`);
      }
    });
  });
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run <name> -- <args>` as `tsx scripts/<name>.ts <args>`, in the hermetic environment the
 * servers get (nextEnv) plus `env`, killed with its group after `timeoutMs`.
 */
export function runProjectScript(
  script: string,
  args: string[],
  env: ServerEnv,
  timeoutMs = 30_000,
): Promise<ScriptResult> {
  const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [`scripts/${script}.ts`, ...args], {
      cwd: PROJECT_ROOT,
      env: nextEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(
        new Error(`${script} script still running after ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
