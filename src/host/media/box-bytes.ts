// Reading the boxes inside a box already in memory, and writing new ones: what the remux needs to take a
// recording's moov apart and put a progressive one together.
import { UserError } from '../errors';

export interface ChildBox {
  type: string;
  /** offset of the box header in the buffer */
  start: number;
  /** one past the box's last byte */
  end: number;
}

/** The boxes directly inside [start, end) of `b`; a size that does not fit is a damaged file, said so. */
export function childBoxes(b: Buffer, start: number, end: number): ChildBox[] {
  const out: ChildBox[] = [];
  for (let at = start; at + 8 <= end; ) {
    let size = b.readUInt32BE(at);
    if (size === 1) size = Number(b.readBigUInt64BE(at + 8));
    else if (size === 0) size = end - at;
    const type = b.toString('latin1', at + 4, at + 8);
    if (size < 8 || at + size > end) throw new UserError(`the MP4 is damaged: box "${type}" does not fit in its parent`);
    out.push({ type, start: at, end: at + size });
    at += size;
  }
  return out;
}

/** The first child of `type` inside `parent` (its contents starting `skip` bytes after its header's start). */
export function child(b: Buffer, parent: ChildBox, type: string, skip = 8): ChildBox | undefined {
  return childBoxes(b, parent.start + skip, parent.end).find((c) => c.type === type);
}

/** Follows a path such as "mdia/minf/stbl" down from `parent`. */
export function descend(b: Buffer, parent: ChildBox, path: string): ChildBox | undefined {
  let at: ChildBox | undefined = parent;
  for (const type of path.split('/')) {
    at = at && child(b, at, type);
  }
  return at;
}

export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  return box(type, u32(((version << 24) | flags) >>> 0), ...parts);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function s32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A table of `count` rows of 32-bit fields: the shape of every sample table. */
export function u32Table(rows: number[][]): Buffer {
  const width = rows[0]?.length ?? 0;
  const b = Buffer.alloc(4 + rows.length * width * 4);
  b.writeUInt32BE(rows.length, 0);
  rows.forEach((row, i) => row.forEach((v, j) => b.writeUInt32BE(v >>> 0, 4 + (i * width + j) * 4)));
  return b;
}

/** A version-0 field that must be 32 bits wide: more means version 1. */
export const fits32 = (n: number) => n >= 0 && n <= 0xffffffff;
