// Pushes a local file to the board: written as NAME.k230part in appended chunks, resumable from what
// an interrupted push left, verified end to end by SHA-256, renamed over NAME only once verified.
// The agent confines every path to its storage root; the host adds nothing it could be talked out of.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { ErrorCode, FileType } from '../../protocol/messages';
import { UserError } from '../../shared/user-error';
import { BoardError, BoardSession } from '../session/board-session';
import { hashOfStart } from './file-hash';

export interface PushProgress {
  bytes: number;
  total: number;
  /** bytes per second over this push */
  rateBps: number;
}

export interface PushOptions {
  onProgress?: (p: PushProgress) => void;
  signal?: AbortSignal;
  /** replace a file already at the remote path; default true */
  replace?: boolean;
}

export interface PushResult {
  remote: string;
  bytes: number;
  /** where this push started: > 0 when it went on from an earlier one */
  resumedFrom: number;
  sha256: string;
  seconds: number;
}

/** Bytes a FILE_WRITE carries: the MicroPython agent reads its line a byte at a time (docs/running-scripts.md). */
const WRITE_CHUNK = 8 * 1024;
/** Writes in flight at once: the agent appends them in order. */
const WINDOW = 2;
/** A write waits for the ones before it in the window: time for all of them at the slowest agent's pace. */
const WRITE_TIMEOUT_MS = 15_000;

function remotePartPath(remote: string): string {
  return `${remote}.k230part`;
}

/** How much of an earlier push's part on the board is the start of this file (it goes on from there),
 * and the running hash of the local file up to there. */
async function resumable(session: BoardSession, part: string, local: string, size: number): Promise<{ from: number; hash: Hash }> {
  const none = () => ({ from: 0, hash: createHash('sha256') });
  try {
    const st = await session.stat(part);
    if (st.fileType !== FileType.File || st.size === 0 || st.size > size) return none();
    const theirs = await session.checksum(part, 10_000 + st.size / 5_000);
    const hash = await hashOfStart(local, st.size);
    return theirs.sha256 === hash.copy().digest('hex') ? { from: st.size, hash } : none();
  } catch (e) {
    if (e instanceof BoardError && e.code === ErrorCode.NotFound) return none();
    throw e;
  }
}

export async function pushFile(session: BoardSession, local: string, remote: string, options: PushOptions = {}): Promise<PushResult> {
  const started = performance.now();
  let fd: number;
  try {
    fd = fs.openSync(local, 'r');
  } catch (e) {
    throw new UserError(`cannot read ${local}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (options.replace === false) {
      const exists = await session.stat(remote).then(() => true, (e) => (e instanceof BoardError && e.code === ErrorCode.NotFound ? false : Promise.reject(e)));
      if (exists) throw new UserError(`${remote} already exists on the board`);
    }
    const part = remotePartPath(remote);
    // The file is hashed as its chunks are read for the board: verifying costs no second read.
    const { from: resumedFrom, hash } = await resumable(session, part, local, size);
    let done = resumedFrom;
    if (resumedFrom === 0) await session.writeFile(part, 0, new Uint8Array(0));
    const inFlight: Promise<void>[] = [];
    for (let offset = resumedFrom; offset < size; ) {
      if (options.signal?.aborted) throw new UserError(`push cancelled after ${done} of ${size} bytes; push again to resume`);
      const data = Buffer.alloc(Math.min(WRITE_CHUNK, size - offset));
      fs.readSync(fd, data, 0, data.length, offset);
      hash.update(data);
      const at = offset;
      offset += data.length;
      const write = session.writeFile(part, at, data, WRITE_TIMEOUT_MS).then(() => {
        done = Math.max(done, at + data.length);
        const seconds = (performance.now() - started) / 1000;
        options.onProgress?.({ bytes: done, total: size, rateBps: (done - resumedFrom) / Math.max(seconds, 1e-3) });
      });
      write.catch(() => undefined); // awaited below; a push cancelled meanwhile must not crash the process
      inFlight.push(write);
      if (inFlight.length >= WINDOW) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const ours = hash.digest('hex');
    const theirs = await session.checksum(part, 10_000 + size / 5_000);
    if (theirs.sha256 !== ours || theirs.size !== size) {
      await session.deleteFile(part).catch(() => undefined);
      throw new UserError(`${remote}: the board's copy does not match ${local} (SHA-256); push again`);
    }
    await session.renameFile(part, remote, true);
    return { remote, bytes: size, resumedFrom, sha256: ours, seconds: (performance.now() - started) / 1000 };
  } finally {
    fs.closeSync(fd);
  }
}
