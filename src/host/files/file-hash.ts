import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';

/** A running SHA-256 of a local file's first `bytes`: a transfer that goes on from there keeps it running. */
export async function hashOfStart(file: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes > 0) {
    for await (const chunk of fs.createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  return hash;
}
