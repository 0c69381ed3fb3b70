// ISO BMFF (MP4) boxes, read and written: the one box module of the project. Pure (no Node): the
// host's live path and media tools and the webview's player all use it.
import { UserError } from './user-error';

export interface Box {
  type: string;
  /** offset of the box header */
  start: number;
  /** one past the box's last byte */
  end: number;
}

export function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function readType(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
}

/** The boxes directly inside [start, end); a size that does not fit is a damaged file, said so. */
export function childBoxes(b: Uint8Array, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let at = start; at + 8 <= end; ) {
    let size = readU32BE(b, at);
    if (size === 1 && at + 16 <= end) size = readU32BE(b, at + 8) * 2 ** 32 + readU32BE(b, at + 12);
    else if (size === 0) size = end - at;
    const type = readType(b, at);
    if (size < 8 || at + size > end) throw new UserError(`the MP4 is damaged: box "${type}" does not fit in its parent`);
    out.push({ type, start: at, end: at + size });
    at += size;
  }
  return out;
}

/** The first child of `type` inside `parent` (its contents starting `skip` bytes after its header's start). */
export function child(b: Uint8Array, parent: Box, type: string, skip = 8): Box | undefined {
  return childBoxes(b, parent.start + skip, parent.end).find((c) => c.type === type);
}

/** Follows a path such as "mdia/minf/stbl" down from `parent`. */
export function descend(b: Uint8Array, parent: Box, path: string): Box | undefined {
  let at: Box | undefined = parent;
  for (const type of path.split('/')) at = at && child(b, at, type, CHILD_OFFSET[at.type] ?? 8);
  return at;
}

/** Bytes between a container's header and its children (sample entries carry fields first). */
const CHILD_OFFSET: Record<string, number> = { stsd: 16, avc1: 86, avc3: 86, hev1: 86, hvc1: 86 };

/** The first box of `type` inside [start, end), or undefined; a damaged box ends the search. */
export function findChild(b: Uint8Array, start: number, end: number, type: string): Box | undefined {
  for (let at = start; at + 8 <= end; ) {
    const size = readU32BE(b, at);
    if (size < 8 || at + size > end) return undefined;
    if (readType(b, at) === type) return { type, start: at, end: at + size };
    at += size;
  }
  return undefined;
}

/** Finds a box by path from the top of `b`, e.g. "moov/trak/mdia/minf/stbl/stsd/avc1/avcC". */
export function findBox(b: Uint8Array, path: string): Box | undefined {
  let found: Box | undefined;
  let start = 0;
  let end = b.length;
  for (const type of path.split('/')) {
    found = findChild(b, start, end, type);
    if (!found) return undefined;
    start = found.start + (CHILD_OFFSET[type] ?? 8);
    end = found.end;
  }
  return found;
}

/** A box of `type` holding `parts` in order. */
export function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function fullBox(type: string, version: number, flags: number, ...parts: Uint8Array[]): Uint8Array {
  return box(type, u32(((version << 24) | flags) >>> 0), ...parts);
}

function bigEndian(bytes: number, write: (v: DataView) => void): Uint8Array {
  const out = new Uint8Array(bytes);
  write(new DataView(out.buffer));
  return out;
}

export const u16 = (n: number) => bigEndian(2, (v) => v.setUint16(0, n));
export const u32 = (n: number) => bigEndian(4, (v) => v.setUint32(0, n));
export const s32 = (n: number) => bigEndian(4, (v) => v.setInt32(0, n));
export const u64 = (n: number) => bigEndian(8, (v) => v.setBigUint64(0, BigInt(n)));

/** A table of `count` rows of 32-bit fields: the shape of every sample table. */
export function u32Table(rows: number[][]): Uint8Array {
  const width = rows[0]?.length ?? 0;
  return bigEndian(4 + rows.length * width * 4, (v) => {
    v.setUint32(0, rows.length);
    rows.forEach((row, i) => row.forEach((n, j) => v.setUint32(4 + (i * width + j) * 4, n >>> 0)));
  });
}

/** A version-0 field that must be 32 bits wide: more means version 1. */
export const fits32 = (n: number) => n >= 0 && n <= 0xffffffff;
