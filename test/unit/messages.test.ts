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
