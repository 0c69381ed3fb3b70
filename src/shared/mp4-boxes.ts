// Walking ISO BMFF (MP4) boxes: enough to find a box by path. Pure: used by host and webview alike.

export function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function boxType(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
}

export interface Box {
  /** offset of the box header */
  start: number;
  /** one past the box's last byte */
  end: number;
}

/** Bytes between a container's header and its children (sample entries carry fields first). */
const CHILD_OFFSET: Record<string, number> = { stsd: 16, avc1: 86, avc3: 86, hev1: 86, hvc1: 86 };

/** The first child box of `type` inside [start, end), or undefined. */
export function findChild(b: Uint8Array, start: number, end: number, type: string): Box | undefined {
  let at = start;
  while (at + 8 <= end) {
    const size = readU32BE(b, at);
    if (size < 8 || at + size > end) return undefined;
    if (boxType(b, at) === type) return { start: at, end: at + size };
    at += size;
  }
  return undefined;
}

/** Finds a box by path, e.g. "moov/trak/mdia/minf/stbl/stsd/avc1/avcC". */
export function findBox(b: Uint8Array, path: string): Box | undefined {
  let start = 0;
  let end = b.length;
  let found: Box | undefined;
  for (const type of path.split('/')) {
    found = findChild(b, start, end, type);
    if (!found) return undefined;
    start = found.start + (CHILD_OFFSET[type] ?? 8);
    end = found.end;
  }
  return found;
}
