// Pulls a file from the board: pipelined reads, resumable, verified end to end by SHA-256, written
// under a temporary name and renamed only once verified.
import * as fs from 'node:fs';
import { FILE_READ_MAX, FileType } from '../../protocol/messages';
import { UserError } from '../../shared/user-error';
import { BoardSession, TimeoutError } from '../session/board-session';
import { hashOfStart } from './file-hash';

export interface PullProgress {
  bytes: number;
  total: number;
  /** bytes per second over this pull */
  rateBps: number;
  /** seconds left at that rate; undefined at first */
  etaS?: number;
}

export interface PullOptions {
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  /** bytes per read request */
  chunkBytes?: number;
  /** read requests in flight at once */
  window?: number;
}

export interface PullResult {
  path: string;
  bytes: number;
  /** where this pull started: > 0 when it went on from an earlier one */
  resumedFrom: number;
  sha256: string;
  seconds: number;
}

/** What an unfinished pull leaves next to its target: the bytes so far, and what they are of. */
export function partialPaths(localPath: string): { data: string; meta: string } {
  return { data: `${localPath}.k230part`, meta: `${localPath}.k230part.json` };
}

interface PartialMeta {
  remote: string;
  size: number;
  mtimeMs: number;
}

function resumableBytes(localPath: string, want: PartialMeta): number {
  const { data, meta } = partialPaths(localPath);
  try {
    const had = JSON.parse(fs.readFileSync(meta, 'utf8')) as PartialMeta;
    const size = fs.statSync(data).size;
    if (had.remote === want.remote && had.size === want.size && had.mtimeMs === want.mtimeMs && size <= want.size) return size;
  } catch {
    // nothing to resume
  }
  return 0;
}

/** A read answered late is asked again: a reply lost to a damaged frame costs a retry, not the pull. */
const READ_TIMEOUT_MS = 3000;
const READ_TRIES = 4;

async function readChunk(session: BoardSession, remote: string, offset: number, length: number): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await session.read(remote, offset, length, READ_TIMEOUT_MS);
    } catch (e) {
      if (!(e instanceof TimeoutError) || attempt === READ_TRIES) throw e;
    }
  }
}

export async function pullFile(session: BoardSession, remote: string, localPath: string, options: PullOptions = {}): Promise<PullResult> {
  // Whole FILE_READ_MAX replies, 8 in flight: the link never waits for a request (docs/link-throughput.md).
  const chunk = Math.min(options.chunkBytes ?? FILE_READ_MAX, FILE_READ_MAX);
  const window = options.window ?? 8;
  const started = performance.now();
  const info = await session.stat(remote);
  if (info.fileType !== FileType.File) throw new UserError(`${remote} is not a file`);
  const want: PartialMeta = { remote, size: info.size, mtimeMs: info.mtimeMs };
  const { data, meta } = partialPaths(localPath);
  const resumedFrom = resumableBytes(localPath, want);
  if (!resumedFrom) fs.writeFileSync(meta, JSON.stringify(want));
  let fd: number;
  try {
    fd = fs.openSync(data, resumedFrom ? 'r+' : 'w');
  } catch (e) {
    throw new UserError(`cannot write ${data}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }

  // The file is hashed as its bytes arrive, in order: verifying costs no second read.
  const hash = await hashOfStart(data, resumedFrom); // what an earlier pull left is hashed once, up front
  let done = resumedFrom;
  try {
    let next = resumedFrom;
    const inFlight: { offset: number; reply: Promise<Uint8Array> }[] = [];
    const issue = () => {
      while (inFlight.length < window && next < info.size) {
        const length = Math.min(chunk, info.size - next);
        const reply = readChunk(session, remote, next, length);
        reply.catch(() => undefined); // a read left behind by a cancelled pull must not crash the process
        inFlight.push({ offset: next, reply });
        next += length;
      }
    };
    issue();
    while (inFlight.length) {
      if (options.signal?.aborted) throw new UserError(`pull cancelled after ${done} of ${info.size} bytes; pull again to resume`);
      const { offset, reply } = inFlight.shift()!;
      const bytes = await reply;
      if (bytes.length === 0 && offset < info.size) throw new UserError(`${remote} got shorter while being pulled`);
      fs.writeSync(fd, bytes, 0, bytes.length, offset);
      hash.update(bytes);
      done = offset + bytes.length;
      issue();
      const seconds = (performance.now() - started) / 1000;
      const rateBps = (done - resumedFrom) / Math.max(seconds, 1e-3);
      options.onProgress?.({ bytes: done, total: info.size, rateBps, etaS: rateBps > 0 ? (info.size - done) / rateBps : undefined });
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }

  const ours = hash.digest('hex');
  // The board usually has the hash ready (it hashes what it sends); else it reads the file again.
  const theirs = await session.checksum(remote, 10_000 + info.size / 5_000);
  if (theirs.sha256 !== ours || theirs.size !== info.size) {
    fs.rmSync(data, { force: true });
    fs.rmSync(meta, { force: true });
    throw new UserError(`${remote}: the pulled bytes do not match the board's checksum; pull again`);
  }
  fs.renameSync(data, localPath);
  fs.rmSync(meta, { force: true });
  return { path: localPath, bytes: info.size, resumedFrom, sha256: ours, seconds: (performance.now() - started) / 1000 };
}
