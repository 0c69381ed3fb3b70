// The box tree of an MP4's head, as text: what a muxer author checks first (mux.js's inspector).
import * as fs from 'node:fs';
// mux.js ships no types; its inspector takes bytes and returns a box tree it can also print.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const inspector = require('mux.js/lib/tools/mp4-inspector') as {
  inspect(bytes: Uint8Array): unknown[];
  textify(boxes: unknown[], depth: number): string;
};
import { UserError } from '../../shared/user-error';

/** The first `boxCount` top-level boxes (ftyp, moov, then the first fragments) of a file, as an indented tree. */
export function boxTree(file: string, boxCount = 10): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // Whole top-level boxes only: walk their headers, then read that much.
    let end = 0;
    const header = Buffer.alloc(16);
    for (let i = 0; i < boxCount && end + 8 <= size; i++) {
      fs.readSync(fd, header, 0, 16, end);
      let boxSize = header.readUInt32BE(0);
      if (boxSize === 1) boxSize = Number(header.readBigUInt64BE(8));
      if (boxSize === 0) boxSize = size - end;
      if (boxSize < 8 || end + boxSize > size) break;
      end += boxSize;
    }
    if (end === 0) throw new UserError(`${file} does not start with an MP4 box`);
    if (end > 64 << 20) throw new UserError(`${file}: the first boxes are over 64 MB; --boxes shows small heads only`);
    const bytes = Buffer.alloc(end);
    fs.readSync(fd, bytes, 0, end, 0);
    return inspector.textify(inspector.inspect(new Uint8Array(bytes.buffer, bytes.byteOffset, end)), 0);
  } finally {
    fs.closeSync(fd);
  }
}
