// Link framing: magic, type, flags, request id, length, header CRC, payload, frame CRC.
// The byte layout is documented once, in docs/protocol.md.
import { crc32 } from './crc32';

export const MAGIC0 = 0x4b; // 'K'
export const MAGIC1 = 0x32; // '2'
export const HEADER_SIZE = 16;
export const TRAILER_SIZE = 4;
export const MAX_PAYLOAD = 4 * 1024 * 1024;

export interface Frame {
  type: number;
  flags: number;
  id: number;
  payload: Uint8Array;
}

/** A CRC-32 continuing over bytes[start, end) (crc32.ts's signature): the host passes zlib's, ~20x faster. */
export type Crc32 = (bytes: Uint8Array, start: number, end: number, crc?: number) => number;

export interface FramingStats {
  frames: number;
  skippedBytes: number;
  headerErrors: number;
  crcErrors: number;
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** Encodes one frame; the payload may be given in parts so large bodies are not joined twice. */
export function encodeFrame(type: number, id: number, parts: Uint8Array | Uint8Array[], flags = 0): Uint8Array {
  const list = Array.isArray(parts) ? parts : [parts];
  let length = 0;
  for (const p of list) length += p.length;
  if (length > MAX_PAYLOAD) throw new RangeError(`payload of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(HEADER_SIZE + length + TRAILER_SIZE);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = type;
  out[3] = flags;
  writeU32(out, 4, id);
  writeU32(out, 8, length);
  writeU32(out, 12, crc32(out, 0, 12));
  let at = HEADER_SIZE;
  for (const p of list) {
    out.set(p, at);
    at += p.length;
  }
  writeU32(out, at, crc32(out, 0, at));
  return out;
}

/**
 * Turns a byte stream into frames. Resynchronises by itself: a header whose CRC fails, a length over
 * the limit or a frame whose CRC fails costs one byte of search, and the next good frame is found.
 * Nothing is allocated for a frame before its header (and so its length) has been verified.
 */
export class FrameDecoder {
  readonly stats: FramingStats = { frames: 0, skippedBytes: 0, headerErrors: 0, crcErrors: 0 };
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;

  constructor(
    private readonly maxPayload = MAX_PAYLOAD,
    private readonly crc: Crc32 = crc32,
  ) {}

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Appends bytes and returns every frame completed by them, in order. */
  push(chunk: Uint8Array): Frame[] {
    this.append(chunk);
    const frames: Frame[] = [];
    for (;;) {
      const f = this.next();
      if (!f) break;
      frames.push(f);
    }
    return frames;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, live + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  private skip(): void {
    this.start++;
    this.stats.skippedBytes++;
  }

  private next(): Frame | undefined {
    const b = this.buf;
    for (;;) {
      const have = this.end - this.start;
      if (have === 0) return undefined;
      // A byte that cannot start a frame goes now, even alone: what is skipped must not depend on the reads.
      if (b[this.start] !== MAGIC0 || (have >= 2 && b[this.start + 1] !== MAGIC1)) {
        let i = b.indexOf(MAGIC0, this.start + 1);
        if (i < 0 || i >= this.end) i = this.end;
        this.stats.skippedBytes += i - this.start;
        this.start = i;
        continue;
      }
      if (have < HEADER_SIZE) return undefined;
      const s = this.start;
      const length = readU32(b, s + 8);
      if (this.crc(b, s, s + 12) !== readU32(b, s + 12) || length > this.maxPayload) {
        this.stats.headerErrors++;
        this.skip();
        continue;
      }
      const total = HEADER_SIZE + length + TRAILER_SIZE;
      if (have < total) return undefined;
      if (this.crc(b, s, s + total - TRAILER_SIZE) !== readU32(b, s + total - TRAILER_SIZE)) {
        this.stats.crcErrors++;
        this.skip();
        continue;
      }
      this.start += total;
      this.stats.frames++;
      // A copy: the frame outlives this buffer, which is reused for the next bytes.
      return { type: b[s + 2], flags: b[s + 3], id: readU32(b, s + 4), payload: b.slice(s + HEADER_SIZE, s + HEADER_SIZE + length) };
    }
  }
}
