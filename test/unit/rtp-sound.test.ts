// G.711 chunks into RTP (RFC 3551): one chunk, one packet, its bytes untouched; the payload types to describe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { RtpSoundPacketizer, soundEncodingName, soundPayloadType } from '../../src/host/stream-server/rtp/rtp-sound';
import { readRtp } from '../support/rtp';

fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201 });

test('payload types: the static 0 (PCMU) and 8 (PCMA) at 8000 Hz, a dynamic one at 16000 Hz', () => {
  assert.equal(soundPayloadType('g711u', 8000), 0);
  assert.equal(soundPayloadType('g711a', 8000), 8);
  for (const codec of ['g711u', 'g711a'] as const) {
    const pt = soundPayloadType(codec, 16000);
    assert.ok(pt >= 96 && pt <= 127, `${pt} is dynamic`);
  }
  assert.equal(soundEncodingName('g711u'), 'PCMU');
  assert.equal(soundEncodingName('g711a'), 'PCMA');
});

test('a 20 ms chunk is one packet: header v2, marker 0, the chunk as its payload', () => {
  const chunk = Uint8Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff);
  const rtp = new RtpSoundPacketizer('g711u', { rate: 8000, ssrc: 0xcafe, firstSequence: 7 });
  const packet = rtp.packetize(chunk, 320);
  const p = readRtp(packet);
  assert.equal(packet[0], 0x80);
  assert.equal(p.marker, false);
  assert.equal(p.payloadType, 0);
  assert.equal(p.sequence, 7);
  assert.equal(p.timestamp, 320);
  assert.equal(p.ssrc, 0xcafe);
  assert.deepEqual([...p.payload], [...chunk]);
  assert.equal(rtp.nextSequence, 8);
  assert.equal(rtp.payloadType, 0);
});

test('A-law at 16000 Hz takes the dynamic payload type unless told another', () => {
  assert.equal(new RtpSoundPacketizer('g711a', { rate: 16000, ssrc: 1 }).payloadType, soundPayloadType('g711a', 16000));
  assert.equal(new RtpSoundPacketizer('g711a', { rate: 16000, ssrc: 1, payloadType: 110 }).payloadType, 110);
  assert.throws(() => new RtpSoundPacketizer('g711a', { rate: 44100 as 8000, ssrc: 1 }), RangeError);
});

test('chunks in a row: sequence +1 mod 2^16, timestamps in samples mod 2^32, marker never set', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(8000, 16000),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 2 ** 36 }),
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 640 }), { minLength: 1, maxLength: 12 }),
      (rate, firstSequence, start, chunks) => {
        const rtp = new RtpSoundPacketizer('g711a', { rate: rate as 8000 | 16000, ssrc: 0xffffffff, firstSequence });
        let time = start;
        chunks.forEach((chunk, i) => {
          const p = readRtp(rtp.packetize(chunk, time));
          assert.equal(p.sequence, (firstSequence + i) & 0xffff);
          assert.equal(p.timestamp, time % 2 ** 32);
          assert.equal(p.marker, false);
          assert.equal(p.ssrc, 0xffffffff);
          assert.deepEqual([...p.payload], [...chunk]);
          time += chunk.length;
        });
      },
    ),
  );
});
