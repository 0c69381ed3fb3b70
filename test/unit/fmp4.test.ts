import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDecodeTime, rebaseFragment } from '../../src/host/mp4/fragment-edits';

/** A moof+mdat laid out as the agent writes it: mfhd, traf(tfhd, tfdt v1, trun), mdat. */
function fragment(sequence: number, decodeTime: bigint, sample = Uint8Array.of(0, 0, 0, 1, 0x65)): Uint8Array {
  const box = (type: string, ...parts: Uint8Array[]) => {
    const body = Uint8Array.from(parts.flatMap((p) => [...p]));
    const out = new Uint8Array(8 + body.length);
    new DataView(out.buffer).setUint32(0, out.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    return out;
  };
  const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); return b; };
  const u64 = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v); return b; };
  const moof = box('moof', box('mfhd', u32(0), u32(sequence)), box('traf', box('tfhd', u32(0x020000), u32(1)), box('tfdt', u32(0x01000000), u64(decodeTime)), box('trun', u32(0x701), u32(1), u32(0), u32(3000), u32(sample.length), u32(0x02000000))));
  return Uint8Array.from([...moof, ...box('mdat', sample)]);
}

test('rebasing moves the decode time and renumbers, leaving the sample untouched', () => {
  const original = fragment(900, 90_000_000n);
  const moved = rebaseFragment(original, 89_997_000n, 1);
  assert.equal(readDecodeTime(moved), 3000n);
  assert.equal(new DataView(moved.buffer).getUint32(20), 1);
  assert.deepEqual(moved.subarray(-5), original.subarray(-5));
  assert.equal(readDecodeTime(original), 90_000_000n, 'the input is not modified');
});

test('a fragment older than the recording start is refused', () => {
  assert.throws(() => rebaseFragment(fragment(1, 10n), 20n, 1), /older/);
});

test('bytes that are not a fragment are refused', () => {
  assert.throws(() => readDecodeTime(Uint8Array.of(0, 0, 0, 8, 0x6d, 0x64, 0x61, 0x74)), /moof/);
});
