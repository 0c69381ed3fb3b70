// The wire's value encodings, one reader and one writer: little-endian integers, the u8-length
// string, the u16-length path, fixed and trailing byte runs. The messages built from them are
// described, field by field, in messages.ts.

export class MalformedMessageError extends Error {}

/** A string's longest encoding (u8 length); longer ones are cut by the sender. */
export const STRING_MAX = 255;
/** A path's longest encoding (u16 length, limited). */
export const PATH_MAX = 1023;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

export class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.at + n > this.bytes.length) throw new MalformedMessageError('payload too short');
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number { return this.bytes[this.need(1)]; }
  u16(): number { return this.view.getUint16(this.need(2), true); }
  u32(): number { return this.view.getUint32(this.need(4), true); }
  u64(): bigint { return this.view.getBigUint64(this.need(8), true); }
  string(): string { return this.text(this.u8()); }
  path(): string {
    const n = this.u16();
    if (n > PATH_MAX) throw new MalformedMessageError(`a path of ${n} bytes (at most ${PATH_MAX})`);
    return this.text(n);
  }
  private text(n: number): string {
    const at = this.need(n);
    const b = this.bytes.subarray(at, at + n);
    // As the agent does: a NUL would cut its C string short, so neither side takes one.
    if (b.includes(0)) throw new MalformedMessageError('NUL inside a string');
    return textDecoder.decode(b);
  }
  fixed(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.slice(at, at + n);
  }
  rest(): Uint8Array {
    const r = this.bytes.subarray(this.at);
    this.at = this.bytes.length;
    return r;
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new MalformedMessageError(`${this.bytes.length - this.at} trailing bytes`);
  }
}

export class Writer {
  private bytes = new Uint8Array(64);
  private view = new DataView(this.bytes.buffer);
  private at = 0;
  private room(n: number): number {
    if (this.at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.at;
    this.at += n;
    return at;
  }
  // room() may replace bytes and view: take the offset first (this.view.set…(this.room(n)) uses the old view).
  u8(v: number): void { const at = this.room(1); this.bytes[at] = v; }
  u16(v: number): void { const at = this.room(2); this.view.setUint16(at, v, true); }
  u32(v: number): void { const at = this.room(4); this.view.setUint32(at, v, true); }
  u64(v: bigint): void { const at = this.room(8); this.view.setBigUint64(at, v, true); }
  string(s: string): void {
    const b = textEncoder.encode(s).subarray(0, STRING_MAX);
    this.u8(b.length);
    this.raw(b);
  }
  path(s: string): void {
    const b = textEncoder.encode(s).subarray(0, PATH_MAX);
    this.u16(b.length);
    this.raw(b);
  }
  raw(b: Uint8Array): void {
    const at = this.room(b.length);
    this.bytes.set(b, at);
  }
  done(): Uint8Array { return this.bytes.slice(0, this.at); }
}
