// Opening what the media tools read and write, with reasons a person understands; an output is written beside
// its final name and renamed when complete, so a failed conversion never leaves a half file under that name.
import * as fs from 'node:fs';
import { UserError } from '../../shared/user-error';

export function openForReading(file: string): number {
  try {
    if (fs.statSync(file).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    return fs.openSync(file, 'r');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${reason(e, 'no such file')}`);
  }
}

/** `missing`: what ENOENT means here (reading: the file; writing: its directory) */
function reason(e: unknown, missing: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missing;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (e as Error).message;
}

/** The first line of an error from a library, for a one-line message. */
export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

export interface PreparedOutput {
  /** where the writer writes */
  partPath: string;
  /** moves the finished file into place; returns its size in bytes */
  commit(): number;
  /** removes what was written */
  discard(): void;
}

/** Checks that `outPath` can be written, now, with a reason a person understands when it cannot. */
export function preparedOutput(outPath: string): PreparedOutput {
  const partPath = `${outPath}.part`;
  const fail = (e: unknown): never => {
    throw new UserError(`cannot write ${outPath}: ${reason(e, 'no such directory')}`);
  };
  if (fs.statSync(outPath, { throwIfNoEntry: false })?.isDirectory()) fail(Object.assign(new Error(), { code: 'EISDIR' }));
  try {
    fs.closeSync(fs.openSync(partPath, 'w'));
  } catch (e) {
    fail(e);
  }
  return {
    partPath,
    commit() {
      try {
        fs.renameSync(partPath, outPath);
        return fs.statSync(outPath).size;
      } catch (e) {
        this.discard();
        return fail(e);
      }
    },
    discard() {
      fs.rmSync(partPath, { force: true });
    },
  };
}
