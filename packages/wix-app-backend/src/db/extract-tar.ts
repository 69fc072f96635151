/**
 * Writes the files of an uncompressed POSIX tar (as PGlite's `dumpDataDir('none')` makes it:
 * regular files and directories only) under `dir`. Anything else — links, devices, a path that
 * climbs out of `dir` — throws: the input is then not a snapshot we made.
 */
import fs from 'node:fs';
import path from 'node:path';

const BLOCK = 512;

/** Extracts `tar` into `dir` (created if missing); throws on an entry it does not expect. */
export function extractTar(tar: Uint8Array, dir: string): void {
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return; // end of archive
    const name = text(header, 345, 155)
      ? `${text(header, 345, 155)}/${text(header, 0, 100)}`
      : text(header, 0, 100);
    const size = Number.parseInt(text(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`tar: bad size for ${name}`);
    const target = path.resolve(root, name.replace(/^\/+/, ''));
    if (target !== root && !target.startsWith(root + path.sep)) {
      throw new Error(`tar: ${name} is outside the target folder`);
    }
    const start = offset + BLOCK;
    if (type === '5') {
      fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    } else if (type === '0' || type === '\0') {
      if (start + size > tar.length) throw new Error(`tar: ${name} is truncated`);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      fs.writeFileSync(target, tar.subarray(start, start + size), { mode: 0o600 });
    } else {
      throw new Error(`tar: unexpected entry type ${JSON.stringify(type)} for ${name}`);
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error('tar: archive ends without its end marker');
}

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}
