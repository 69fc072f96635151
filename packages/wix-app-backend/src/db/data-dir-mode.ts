/**
 * Which kind of server an embedded database's folder belongs to: development (`npm run dev`, the
 * public development credentials, sample sites anyone can sign for) or production (`next start`,
 * the container). The first server to open a folder writes its kind into it; a server of the
 * other kind refuses the folder. Development data must never be served by production — nor
 * production data by a development server, whose public secret lets anyone sign an instance.
 * Both kinds have their own folder by default (`.data`, `.data-production`), so this only
 * refuses a DATA_DIR given to both (a shared `.env.local`).
 */
import fs from 'node:fs';
import path from 'node:path';

export type DataDirMode = 'development' | 'production';
export const MODE_FILE_NAME = 'mode.json';

export class DataDirModeError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holds: DataDirMode | null,
    readonly wanted: DataDirMode,
  ) {
    const file = path.join(dataDir, MODE_FILE_NAME);
    super(
      holds
        ? `The embedded database in ${dataDir} holds ${holds} data; this is a ${wanted} server, ` +
            `which never opens it. Give each its own folder: unset DATA_DIR (defaults: .data for ` +
            `development, .data-production for production) or point DATA_DIR elsewhere. ` +
            `(To hand the folder over on purpose, delete ${file}.)`
        : `The embedded database in ${dataDir} cannot tell whose data it holds: ${file} is not ` +
            `readable. Delete that file if the folder is this ${wanted} server's.`,
    );
    this.name = 'DataDirModeError';
  }
}

/**
 * Records `mode` in a folder that has none (a new folder, or one made before folders recorded
 * their kind) or checks it against what the folder records. Call it holding the folder's lock.
 */
export function claimDataDir(dataDir: string, mode: DataDirMode): void {
  const file = path.join(dataDir, MODE_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.writeFileSync(file, `${JSON.stringify({ mode, since: new Date().toISOString() })}\n`);
    return;
  }
  const holds = readMode(text);
  if (holds !== mode) throw new DataDirModeError(dataDir, holds, mode);
}

function readMode(text: string): DataDirMode | null {
  try {
    const { mode } = JSON.parse(text) as { mode?: unknown };
    return mode === 'development' || mode === 'production' ? mode : null;
  } catch {
    return null;
  }
}
