import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from '../../src/protocol/crc32';
import { encodeFrame, FrameDecoder, HEADER_SIZE, MAX_PAYLOAD } from '../../src/protocol/framing';

const frame = (id: number, size = 200) => encodeFrame(0x80, id, Uint8Array.from({ length: size }, (_, i) => (i * 13 + id) & 0xff));
const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const ids = (d: FrameDecoder, bytes: Uint8Array) => d.push(bytes).map((f) => f.id);

test('crc32 gives the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('frames split across many small reads come out whole and in order', () => {
  const d = new FrameDecoder();
  const stream = join(frame(1), frame(2, 5000), frame(3, 0));
  const got: number[] = [];
  for (let i = 0; i < stream.length; i += 3) got.push(...ids(d, stream.subarray(i, i + 3)));
  assert.deepEqual(got, [1, 2, 3]);
  assert.equal(d.pending, 0);
});

test('garbage between frames is skipped and counted', () => {
  const d = new FrameDecoder();
  const garbage = new TextEncoder().encode('MicroPython v1.0 >>> K2K2');
  assert.deepEqual(ids(d, join(garbage, frame(1), garbage, frame(2))), [1, 2]);
  assert.equal(d.stats.skippedBytes, 2 * garbage.length);
});

test('a flipped bit loses only the frame it hit', () => {
  const hit = frame(2);
  hit[HEADER_SIZE + 100] ^= 0x01;
  const d = new FrameDecoder();
  assert.deepEqual(ids(d, join(frame(1), hit, frame(3))), [1, 3]);
  assert.equal(d.stats.crcErrors, 1);
});

test('a dropped byte loses only the frame it hit', () => {
  const hit = frame(2);
  const short = join(hit.subarray(0, 50), hit.subarray(51));
  assert.deepEqual(ids(new FrameDecoder(), join(frame(1), short, frame(3), frame(4))), [1, 3, 4]);
});

test('a header claiming more than the maximum is refused without waiting for or allocating it', () => {
  const huge = encodeFrame(0x80, 9, new Uint8Array(0));
  const view = new DataView(huge.buffer);
  view.setUint32(8, MAX_PAYLOAD + 1, true);
  view.setUint32(12, crc32(huge, 0, 12), true);
  const d = new FrameDecoder();
  assert.deepEqual(ids(d, join(huge.subarray(0, HEADER_SIZE), frame(10))), [10]);
  assert.equal(d.stats.headerErrors, 1);
});

test('encoding a payload over the maximum throws', () => {
  assert.throws(() => encodeFrame(0xa1, 0, new Uint8Array(MAX_PAYLOAD + 1)), RangeError);
});

// Found by the property tests (and fuzz_wire on the agent): a last byte that cannot start a frame was
// skipped when it came with others, but held as pending when it came alone.
test('what is skipped and held does not depend on how the stream is cut into reads', () => {
  const stream = join(frame(1, 10), Uint8Array.of(0x4a, 0x32, 0xc6));
  const whole = new FrameDecoder();
  whole.push(stream);
  const bytes = new FrameDecoder();
  for (const b of stream) bytes.push(Uint8Array.of(b));
  assert.deepEqual(bytes.stats, whole.stats);
  assert.equal(bytes.pending, whole.pending);
  assert.equal(whole.stats.skippedBytes, 3);
  assert.equal(whole.pending, 0);
});
