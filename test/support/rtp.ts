// An RTP packet read back as RFC 3550 §5.1 lays it out, written from the RFC alone, for the
// packetizers' tests: a header this project never sends (padding, extension, CSRCs) fails.
import assert from 'node:assert/strict';

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

export function readRtp(packet: Uint8Array): RtpPacket {
  assert.ok(packet.length >= 12, 'an RTP header is 12 bytes');
  assert.equal(packet[0] >> 6, 2, 'version 2');
  assert.equal(packet[0] & 0x20, 0, 'no padding');
  assert.equal(packet[0] & 0x10, 0, 'no header extension');
  assert.equal(packet[0] & 0x0f, 0, 'no CSRCs');
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    marker: (packet[1] & 0x80) !== 0,
    payloadType: packet[1] & 0x7f,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: packet.subarray(12),
  };
}
