import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePayload, encodePayload, MalformedMessageError, MessageType } from '../../src/protocol/messages';

test('a payload one byte short is refused', () => {
  const p = encodePayload({ type: MessageType.SetBitrate, id: 1, bitrateKbps: 4000 });
  assert.throws(() => decodePayload(MessageType.SetBitrate, 1, p.subarray(0, 3)), MalformedMessageError);
});

test('trailing bytes after a message are refused', () => {
  const p = encodePayload({ type: MessageType.Ok, id: 1 });
  assert.throws(() => decodePayload(MessageType.Ok, 1, Uint8Array.of(...p, 0)), MalformedMessageError);
});

test('an unknown type is refused with its number', () => {
  assert.throws(() => decodePayload(0x42, 1, new Uint8Array()), /0x42/);
});

test('strings longer than 255 bytes are cut, not overflowed', () => {
  const p = encodePayload({ type: MessageType.Error, id: 1, code: 2, message: 'x'.repeat(300) });
  const m = decodePayload(MessageType.Error, 1, p);
  assert.equal(m.type === MessageType.Error && m.message.length, 255);
});

// Found by the property tests: a number written just as the encoder grew its buffer went to the old
// buffer, so FILE_READ of a path of 55+ bytes threw RangeError (a pull of such a file failed).
test('a FILE_READ of a long path keeps its offset and length', () => {
  const path = '/sdcard/recordings/2026-11-21/CanMV-K230-20261121-101500.mp4';
  const m = { type: MessageType.FileRead, id: 3, path, offset: 0x1_0000_0000n, length: 131072 } as const;
  assert.deepEqual(decodePayload(MessageType.FileRead, 3, encodePayload(m)), m);
});

test('a list reply whose fields cross the encoder\'s first buffer keeps every byte', () => {
  const entries = ['a', 'bb', 'ccc', 'dddd'].map((name, i) => ({ fileType: 1, size: BigInt(i + 1), mtimeMs: 1732183200000n, name }));
  const m = { type: MessageType.FileListReply, id: 4, truncated: true, entries } as const;
  assert.deepEqual(decodePayload(MessageType.FileListReply, 4, encodePayload(m)), m);
});

test('a string or path with a NUL inside is refused, as the agent refuses it', () => {
  const hello = Uint8Array.of(1, 0, 3, 0x6b, 0, 0x32);
  assert.throws(() => decodePayload(MessageType.Hello, 1, hello), MalformedMessageError);
  const stat = Uint8Array.of(3, 0, 0x61, 0, 0x62);
  assert.throws(() => decodePayload(MessageType.FileStat, 1, stat), MalformedMessageError);
});
