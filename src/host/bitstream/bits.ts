// Reads the fields of an H.264/H.265 NAL unit: parameter sets and slice headers are bit-packed, Exp-Golomb coded.
import { UserError } from '../../shared/user-error';

/** The NAL unit's payload with emulation-prevention bytes (0x000003 -> 0x0000) removed. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i];
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

export class BitReader {
  private bit = 0;

  /** `what` names the structure in the error a truncated one raises. */
  constructor(private readonly bytes: Uint8Array, private readonly what: string) {}

  get bitsLeft(): number {
    return this.bytes.length * 8 - this.bit;
  }

  /** An unsigned field of up to 32 bits. */
  u(bits: number): number {
    if (bits > this.bitsLeft) throw new UserError(`${this.what} is truncated`);
    let v = 0;
    for (let i = 0; i < bits; i++) {
      v = v * 2 + ((this.bytes[this.bit >> 3] >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(bits: number): void {
    if (bits > this.bitsLeft) throw new UserError(`${this.what} is truncated`);
    this.bit += bits;
  }

  /** ue(v): unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new UserError(`${this.what} has a malformed Exp-Golomb code`);
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Skips `count` ue(v) fields. */
  skipUe(count: number): void {
    for (let i = 0; i < count; i++) this.ue();
  }

  /** se(v): signed Exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}
