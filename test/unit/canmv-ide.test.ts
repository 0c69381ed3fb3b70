// The CanMV IDE-mode trap (src/simulators/stock-board/ide-mode.ts): what sets it off, and that nothing the host
// sends a stock board, its text-safe frames included, can.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findIdeHeader, isIdeHeader } from '../../src/simulators/stock-board/ide-mode';
import { textSafeFrame } from '../../src/host/link/text-safe';
import { encodeFrame } from '../../src/protocol/framing';

test('0x30, an IDE opcode and a length up to 8 MiB is a header; another opcode or a longer length is not', () => {
  assert.ok(isIdeHeader(Uint8Array.from([0x30, 0x80, 0x0c, 0, 0, 0]), 0)); // FW_VERSION
  assert.ok(isIdeHeader(Uint8Array.from([0x30, 0xa7, 0, 0, 0x80, 0]), 0)); // READ_FILE, 8 MiB
  assert.ok(!isIdeHeader(Uint8Array.from([0x30, 0xa7, 1, 0, 0x80, 0]), 0)); // 8 MiB + 1
  assert.ok(!isIdeHeader(Uint8Array.from([0x30, 0x41, 0, 0, 0, 0]), 0)); // 'A' is no opcode
  assert.equal(findIdeHeader(Uint8Array.from([0x41, 0x30, 0x30, 0x05, 4, 0, 0, 0])), 2);
});

test('a text-safe frame never holds an IDE header, whatever the frame holds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 600 }), (type, id, payload) => {
      assert.equal(findIdeHeader(textSafeFrame(encodeFrame(type, id, payload))), -1);
    }),
    { numRuns: 2000 },
  );
});
