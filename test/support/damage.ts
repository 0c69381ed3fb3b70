// Bytes damaged as a noisy serial line or a fuzzer damages them, for the property tests (fast-check).
import * as fc from 'fast-check';
import { concat } from './bytes';

export type Damage =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'drop'; at: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; byte: number };

const plain = { noNullPrototype: true } as const;

/** A flipped bit, a lost byte or a cut; and an inserted byte too, when given the bytes to insert. */
export function anyDamage(inserted?: fc.Arbitrary<number>): fc.Arbitrary<Damage> {
  const kinds: fc.Arbitrary<Damage>[] = [
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }, plain),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }, plain),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }, plain),
  ];
  if (inserted) kinds.push(fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: inserted }, plain));
  return fc.oneof(...kinds);
}

/** `b` with the damage done at `d.at` (taken modulo its length); empty bytes stay empty. */
export function damaged(b: Uint8Array, d: Damage): Uint8Array {
  if (b.length === 0) return b;
  const at = d.at % b.length;
  if (d.kind === 'flip') {
    const out = b.slice();
    out[at] ^= 1 << d.bit;
    return out;
  }
  if (d.kind === 'drop') return concat([b.subarray(0, at), b.subarray(at + 1)]);
  if (d.kind === 'insert') return concat([b.subarray(0, at), Uint8Array.of(d.byte), b.subarray(at)]);
  return b.slice(0, at);
}
