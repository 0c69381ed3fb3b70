// H.264/H.265 into RTP (RFC 6184 mode 1, RFC 7798): every packet read back by a small depacketizer written
// here from the RFCs alone, on fixed access units and on generated ones (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { isKeyframeNal, RtpVideoPacketizer, splitLengthPrefixed } from '../../src/host/stream-server/rtp/rtp-video';
import { hex, hexOf } from '../support/bytes';
import { readRtp, type RtpPacket } from '../support/rtp';

fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201 });

type Codec = 'h264' | 'h265';

// ---- the reader: RFC 3550 §5.1 header (test/support/rtp.ts), RFC 6184 §5.6-5.8 and RFC 7798 §4.4 payloads

/** Aggregation units: a 16-bit size, then that many bytes, to the end of the payload. */
function aggregationUnits(payload: Uint8Array, from: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = from;
  while (at < payload.length) {
    assert.ok(at + 2 <= payload.length, 'an aggregation unit size is cut off');
    const size = (payload[at] << 8) | payload[at + 1];
    assert.ok(size > 0 && at + 2 + size <= payload.length, 'an aggregation unit runs past the payload');
    out.push(payload.slice(at + 2, at + 2 + size));
    at += 2 + size;
  }
  assert.ok(out.length >= 1, 'an aggregation packet holds at least one unit');
  return out;
}

/** Reads packets back into NAL units, checking each payload header against what the RFCs ask of it. */
class Depacketizer {
  readonly nals: Uint8Array[] = [];
  readonly kinds: string[] = [];
  private fragment: Uint8Array[] | undefined;

  constructor(private readonly codec: Codec) {}

  read(payload: Uint8Array): void {
    if (this.codec === 'h264') this.readH264(payload);
    else this.readH265(payload);
  }

  get inFragment(): boolean {
    return this.fragment !== undefined;
  }

  private readH264(p: Uint8Array): void {
    const type = p[0] & 0x1f;
    if (type >= 1 && type <= 23) {
      this.single(p);
    } else if (type === 24) {
      const units = aggregationUnits(p, 1);
      // RFC 6184 §5.7.1: F is the OR of the units' F bits, NRI the highest of theirs.
      assert.equal(p[0] & 0x80, units.reduce((f, u) => f | (u[0] & 0x80), 0), 'STAP-A F = OR of F');
      assert.equal(p[0] & 0x60, Math.max(...units.map((u) => u[0] & 0x60)), 'STAP-A NRI = max NRI');
      this.aggregate(units, 'STAP-A');
    } else if (type === 28) {
      // RFC 6184 §5.8: FU indicator F|NRI|28, FU header S|E|R|type; the unit's header byte is rebuilt from both.
      const s = (p[1] & 0x80) !== 0;
      const e = (p[1] & 0x40) !== 0;
      assert.equal(p[1] & 0x20, 0, 'FU-A R bit is 0');
      this.fu(s, e, Uint8Array.of((p[0] & 0xe0) | (p[1] & 0x1f)), p.subarray(2), 'FU-A');
    } else {
      assert.fail(`H.264 packet type ${type} is not sent in mode 1`);
    }
  }

  private readH265(p: Uint8Array): void {
    assert.ok(p.length >= 2, 'an H.265 payload starts with a 2-byte header'); // end of sequence is no more
    const type = (p[0] >> 1) & 0x3f;
    if (type < 48) {
      this.single(p);
    } else if (type === 48) {
      const units = aggregationUnits(p, 2);
      assert.ok(units.length >= 2, 'an AP carries two or more units (RFC 7798 §4.4.2)');
      const layerId = (b: Uint8Array) => ((b[0] & 1) << 5) | (b[1] >> 3);
      assert.equal(p[0] & 0x80, units.reduce((f, u) => f | (u[0] & 0x80), 0), 'AP F = OR of F');
      assert.equal(layerId(p), Math.min(...units.map(layerId)), 'AP LayerId = lowest');
      assert.equal(p[1] & 7, Math.min(...units.map((u) => u[1] & 7)), 'AP TID = lowest');
      this.aggregate(units, 'AP');
    } else if (type === 49) {
      // RFC 7798 §4.4.3: the payload header keeps F, LayerId and TID; the FU header is S|E|FuType.
      const s = (p[2] & 0x80) !== 0;
      const e = (p[2] & 0x40) !== 0;
      this.fu(s, e, Uint8Array.of((p[0] & 0x81) | ((p[2] & 0x3f) << 1), p[1]), p.subarray(3), 'FU');
    } else {
      assert.fail(`H.265 packet type ${type} is not sent`);
    }
  }

  private single(p: Uint8Array): void {
    assert.equal(this.fragment, undefined, 'a single NAL unit packet inside a fragmented unit');
    this.nals.push(p.slice());
    this.kinds.push('single');
  }

  private aggregate(units: Uint8Array[], kind: string): void {
    assert.equal(this.fragment, undefined, `${kind} inside a fragmented unit`);
    this.nals.push(...units);
    this.kinds.push(kind);
  }

  private fu(s: boolean, e: boolean, header: Uint8Array, body: Uint8Array, kind: string): void {
    assert.ok(!(s && e), `${kind} with both S and E`);
    assert.ok(body.length > 0, `${kind} with no bytes of the unit`);
    if (s) {
      assert.equal(this.fragment, undefined, `${kind} start inside another`);
      this.fragment = [header];
    } else {
      assert.ok(this.fragment, `${kind} continuation without a start`);
    }
    this.fragment.push(body.slice());
    this.kinds.push(kind);
    if (e) {
      this.nals.push(Uint8Array.from(Buffer.concat(this.fragment)));
      this.fragment = undefined;
    }
  }
}

interface Unpacked {
  nals: Uint8Array[];
  kinds: string[];
  packets: RtpPacket[];
}

function unpack(codec: Codec, packets: Uint8Array[]): Unpacked {
  const reader = new Depacketizer(codec);
  const read = packets.map(readRtp);
  for (const p of read) reader.read(p.payload);
  assert.ok(!reader.inFragment, 'the access unit ends inside a fragmented unit');
  return { nals: reader.nals, kinds: reader.kinds, packets: read };
}

// ---- fixed access units

const SPS = hex('6742c01fda014016e840000003004000000f23c60ca8'); // from the agent: 1280x720, baseline
const PPS = hex('68ce3c80');
const SEI = hex('0605ffff');
const AUD = hex('09f0');
const FILLER = hex('0cffffff80');
const VPS265 = hex('40010c01ffff01600000030090000003000003005dba0240');
const SPS265 = hex('42010101600000030090000003000003005da00280802d165ba4a4c2e010000003001000000301e080');
const PPS265 = hex('4401c073c189');

/** A NAL unit of `size` bytes after `header`, its body counting up (so a misplaced byte shows). */
function nal(header: number[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(header);
  for (let i = header.length; i < size; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

const packetizer = (codec: Codec, options: Partial<ConstructorParameters<typeof RtpVideoPacketizer>[1]> = {}) =>
  new RtpVideoPacketizer(codec, { payloadType: 96, ssrc: 0x1234abcd, firstSequence: 100, ...options });

test('H.264 keyframe: AUD dropped, SPS+PPS+SEI in one STAP-A (NRI 3), the IDR in FU-A, marker on the last', () => {
  const idr = nal([0x65, 0x88], 5000);
  const rtp = packetizer('h264');
  const packets = rtp.packetize([AUD, SPS, PPS, SEI, idr], 3000);
  const out = unpack('h264', packets);
  assert.deepEqual(hexOf(out.nals), hexOf([SPS, PPS, SEI, idr]));
  assert.deepEqual(out.kinds, ['STAP-A', 'FU-A', 'FU-A', 'FU-A', 'FU-A']);
  const [stap, ...fus] = out.packets.map((p) => p.payload);
  assert.equal(stap[0], 0x78, 'F 0, NRI 3 (the SPS), type 24');
  assert.deepEqual(fus.map((p) => p[0]), [0x7c, 0x7c, 0x7c, 0x7c], 'FU indicator: the IDR NRI 3, type 28');
  assert.deepEqual(fus.map((p) => p[1]), [0x85, 0x05, 0x05, 0x45], 'FU header: S, -, -, E with type 5');
  assert.deepEqual(out.packets.map((p) => p.marker), [false, false, false, false, true]);
  assert.deepEqual(out.packets.map((p) => p.sequence), [100, 101, 102, 103, 104]);
  assert.ok(out.packets.every((p) => p.timestamp === 3000 && p.payloadType === 96 && p.ssrc === 0x1234abcd));
  assert.ok(packets.every((p) => p.length <= 1400), 'the default packet size is 1400');
  assert.equal(packets[1].length, 1400, 'fragments fill the packet');
  assert.equal(rtp.nextSequence, 105);
});

test('H.264: a small picture is one single NAL unit packet with the marker', () => {
  const p = nal([0x41, 0x9a], 800);
  const packets = packetizer('h264').packetize([p], 6000);
  const out = unpack('h264', packets);
  assert.deepEqual(out.kinds, ['single']);
  assert.deepEqual(hexOf(out.nals), hexOf([p]));
  assert.equal(out.packets[0].marker, true);
  assert.equal(packets[0].length, 12 + 800);
});

test('H.264 STAP-A: NRI is the highest of the units it carries, F the OR of theirs', () => {
  const sei = hex('06 05 01 aa'); // NRI 0
  const slice = hex('41 9a 02'); // NRI 2
  assert.equal(unpack('h264', packetizer('h264').packetize([sei, slice], 0)).packets[0].payload[0], 0x58);
  const broken = hex('86 05 01 aa'); // F 1, NRI 0
  assert.equal(unpack('h264', packetizer('h264').packetize([broken, slice], 0)).packets[0].payload[0], 0xd8);
});

test('filler data and access unit delimiters are not sent; nothing left gives no packets', () => {
  const rtp = packetizer('h264');
  assert.deepEqual(rtp.packetize([AUD, FILLER], 0), []);
  assert.equal(rtp.nextSequence, 100, 'no sequence number spent');
  const h265 = packetizer('h265');
  const aud = hex('4601 50');
  const filler = hex('4c01 ffff');
  const trail = nal([0x02, 0x01], 40);
  assert.deepEqual(hexOf(unpack('h265', h265.packetize([aud, trail, filler], 0)).nals), hexOf([trail]));
});

test('an IDR without SPS/PPS gets the stored ones in front; one with them in band does not', () => {
  const rtp = packetizer('h264');
  rtp.setParameterSets([PPS, SPS]); // in any order: sent SPS first
  const idr = nal([0x65, 0x88], 300);
  const first = unpack('h264', rtp.packetize([idr], 0));
  assert.deepEqual(hexOf(first.nals), hexOf([SPS, PPS, idr]));
  assert.deepEqual(first.kinds, ['STAP-A'], 'sets and the small IDR fit one STAP-A');
  const p = nal([0x41, 0x9a], 300);
  assert.deepEqual(hexOf(unpack('h264', rtp.packetize([p], 3000)).nals), hexOf([p]), 'not before a P picture');
  assert.deepEqual(hexOf(unpack('h264', rtp.packetize([SPS, PPS, idr], 6000)).nals), hexOf([SPS, PPS, idr]), 'not twice');
  const onlyPps = unpack('h264', rtp.packetize([PPS, idr], 9000)).nals;
  assert.deepEqual(hexOf(onlyPps), hexOf([SPS, PPS, PPS, idr]), 'all of them when one is missing: the PPS needs its SPS first');
});

test('parameter sets found in band replace the stored ones of their type', () => {
  const rtp = packetizer('h264');
  rtp.setParameterSets([SPS, PPS]);
  const newSps = hex('6742c01eda0280bfe584000003000400000300f23c58ba80'); // 640x360
  const idr = nal([0x65, 0x88], 50);
  rtp.packetize([newSps, PPS, idr], 0);
  assert.deepEqual(hexOf(unpack('h264', rtp.packetize([idr], 3000)).nals), hexOf([newSps, PPS, idr]));
});

test('setParameterSets takes only parameter sets', () => {
  assert.throws(() => packetizer('h264').setParameterSets([SEI]), /not an SPS or PPS/);
  assert.throws(() => packetizer('h265').setParameterSets([SPS]), /not a VPS, SPS or PPS/);
});

test('H.265 keyframe: VPS+SPS+PPS in one AP, the IDR in FUs whose payload header keeps LayerId and TID', () => {
  const rtp = packetizer('h265', { maxPacketSize: 1000 });
  rtp.setParameterSets([VPS265, SPS265, PPS265]);
  const idr = nal([0x26, 0x01], 2500); // IDR_W_RADL, LayerId 0, TID 1
  const out = unpack('h265', rtp.packetize([idr], 90000));
  assert.deepEqual(hexOf(out.nals), hexOf([VPS265, SPS265, PPS265, idr]));
  assert.deepEqual(out.kinds, ['AP', 'FU', 'FU', 'FU']);
  const [ap, ...fus] = out.packets.map((p) => p.payload);
  assert.deepEqual([...ap.subarray(0, 2)], [0x60, 0x01], 'F 0, type 48, LayerId 0, TID 1');
  assert.deepEqual(fus.map((p) => [...p.subarray(0, 3)]), [[0x62, 0x01, 0x93], [0x62, 0x01, 0x13], [0x62, 0x01, 0x53]], 'type 49; S|19, 19, E|19');
  assert.deepEqual(out.packets.map((p) => p.marker), [false, false, false, true]);
});

test('H.265 AP: LayerId and TID are the lowest of the units it carries, F the OR', () => {
  const a = Uint8Array.of(0x4e, (3 << 3) | 2, 0xaa, 0xbb); // prefix SEI, LayerId 3, TID 2
  const b = Uint8Array.of(0x80 | 0x02 | 1, (1 << 3) | 4, 0xcc); // F 1, TRAIL_R, LayerId 33, TID 4
  const c = Uint8Array.of(0x02, (1 << 3) | 5, 0xdd); // TRAIL_R, LayerId 1, TID 5
  const ap = unpack('h265', packetizer('h265').packetize([a, b, c], 0)).packets[0].payload;
  assert.deepEqual([...ap.subarray(0, 2)], [0x80 | (48 << 1), (1 << 3) | 2]);
});

test('an IRAP that is not an IDR (CRA) also gets the parameter sets; a trailing picture does not', () => {
  const rtp = packetizer('h265');
  rtp.setParameterSets([VPS265, SPS265, PPS265]);
  const cra = nal([0x2a, 0x01], 100);
  const trail = nal([0x02, 0x01], 100);
  assert.deepEqual(hexOf(unpack('h265', rtp.packetize([cra], 0)).nals), hexOf([VPS265, SPS265, PPS265, cra]));
  assert.deepEqual(hexOf(unpack('h265', rtp.packetize([trail], 1)).nals), hexOf([trail]));
});

test('sequence numbers wrap at 65535 and run on across access units; timestamps wrap at 2^32', () => {
  const rtp = packetizer('h264', { firstSequence: 65534, maxPacketSize: 200 });
  const a = unpack('h264', rtp.packetize([nal([0x65, 0x88], 400)], 2 ** 32 + 5));
  const b = unpack('h264', rtp.packetize([nal([0x41, 0x9a], 100)], 2 ** 32 + 3005));
  assert.deepEqual([...a.packets, ...b.packets].map((p) => p.sequence), [65534, 65535, 0, 1]);
  assert.deepEqual([...a.packets, ...b.packets].map((p) => p.timestamp), [5, 5, 5, 3005]);
});

test('the first sequence number is random unless given', () => {
  const firsts = new Set(Array.from({ length: 8 }, () => new RtpVideoPacketizer('h264', { payloadType: 96, ssrc: 1 }).nextSequence));
  assert.ok(firsts.size > 1);
});

test('options out of range are refused', () => {
  assert.throws(() => packetizer('h264', { maxPacketSize: 15 }), RangeError);
  assert.throws(() => packetizer('h264', { maxPacketSize: 70000 }), RangeError);
  assert.throws(() => packetizer('h264', { payloadType: 128 }), RangeError);
  assert.throws(() => packetizer('h264', { ssrc: -1 }), RangeError);
  assert.throws(() => packetizer('h265').packetize([Uint8Array.of(0x26)], 0), /shorter than its 2-byte header/);
});

test('the smallest packet size still carries every NAL unit', () => {
  for (const codec of ['h264', 'h265'] as const) {
    const rtp = packetizer(codec, { maxPacketSize: 16 });
    const nals = codec === 'h264' ? [SPS, PPS, nal([0x65, 0x88], 40)] : [VPS265, SPS265, PPS265, nal([0x26, 0x01], 40)];
    const packets = rtp.packetize(nals, 0);
    assert.ok(packets.every((p) => p.length <= 16));
    assert.deepEqual(hexOf(unpack(codec, packets).nals), hexOf(nals));
  }
});

test('splitLengthPrefixed: an MP4 sample into its NAL units, as views', () => {
  const sample = hex('00000004 68ce3c80 00000000 00000003 0605ff');
  const nals = splitLengthPrefixed(sample);
  assert.deepEqual(hexOf(nals), ['68ce3c80', '0605ff'], 'an empty unit is skipped');
  assert.equal(nals[0].buffer, sample.buffer);
  assert.deepEqual(splitLengthPrefixed(new Uint8Array(0)), []);
  assert.throws(() => splitLengthPrefixed(hex('00000005 68ce3c80')), /runs past the sample's end/);
  assert.throws(() => splitLengthPrefixed(hex('00000001 68 0000')), /ends inside a NAL unit length/);
});

test('isKeyframeNal: an H.264 IDR; an H.265 BLA, IDR or CRA', () => {
  assert.equal(isKeyframeNal('h264', hex('6588')), true);
  assert.equal(isKeyframeNal('h264', hex('419a')), false);
  assert.equal(isKeyframeNal('h264', SPS), false);
  for (const type of [16, 17, 18, 19, 20, 21]) assert.equal(isKeyframeNal('h265', Uint8Array.of(type << 1, 1)), true, `type ${type}`);
  for (const type of [0, 1, 9, 22, 32, 33, 39]) assert.equal(isKeyframeNal('h265', Uint8Array.of(type << 1, 1)), false, `type ${type}`);
  assert.equal(isKeyframeNal('h264', new Uint8Array(0)), false);
});

// ---- generated access units

interface NalSpec {
  type: number;
  nri: number;
  forbidden: number;
  layerId: number;
  tid: number;
  size: number;
  seed: number;
}

const sizeOf = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 200000 }));
const nalSpec = (codec: Codec): fc.Arbitrary<NalSpec> =>
  fc.record(
    {
      type: codec === 'h264' ? fc.constantFrom(1, 1, 1, 5, 5, 6, 7, 8, 9, 12, 2, 3, 4, 10, 11, 13, 19) : fc.constantFrom(0, 1, 1, 2, 9, 16, 19, 20, 21, 32, 33, 34, 35, 38, 39, 40),
      nri: fc.integer({ min: 0, max: 3 }),
      forbidden: fc.constantFrom(0, 0, 0, 0, 1),
      layerId: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 63 })),
      tid: fc.integer({ min: 1, max: 7 }),
      size: sizeOf,
      seed: fc.integer({ min: 1, max: 0x7fffffff }),
    },
    { noNullPrototype: true },
  );

/** The unit's header from the spec, then bytes from a xorshift generator (fast, unlike generating each byte). */
function makeNal(codec: Codec, s: NalSpec): Uint8Array {
  const headerSize = codec === 'h264' ? 1 : 2;
  const out = new Uint8Array(Math.max(s.size, headerSize));
  if (codec === 'h264') {
    out[0] = (s.forbidden << 7) | (s.nri << 5) | s.type;
  } else {
    out[0] = (s.forbidden << 7) | (s.type << 1) | (s.layerId >> 5);
    out[1] = ((s.layerId & 0x1f) << 3) | s.tid;
  }
  let x = s.seed;
  for (let i = headerSize; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** What the receiver should get, worked out apart from the packetizer: the RFC rules and ours, stated plainly. */
class ExpectedStream {
  private stored = new Map<number, Uint8Array[]>();

  constructor(private readonly codec: Codec) {}

  private type(n: Uint8Array): number {
    return this.codec === 'h264' ? n[0] & 0x1f : (n[0] >> 1) & 0x3f;
  }

  private get setTypes(): number[] {
    return this.codec === 'h264' ? [7, 8] : [32, 33, 34];
  }

  setParameterSets(sets: Uint8Array[]): void {
    this.stored = new Map();
    for (const s of sets) this.stored.set(this.type(s), [...(this.stored.get(this.type(s)) ?? []), s]);
  }

  accessUnit(nals: Uint8Array[]): Uint8Array[] {
    const dropped = this.codec === 'h264' ? [9, 12] : [35, 38];
    const kept = nals.filter((n) => !dropped.includes(this.type(n)));
    const inBand = new Map<number, Uint8Array[]>();
    for (const n of kept) if (this.setTypes.includes(this.type(n))) inBand.set(this.type(n), [...(inBand.get(this.type(n)) ?? []), n]);
    for (const [type, sets] of inBand) this.stored.set(type, sets);
    const keyframe = kept.some((n) => (this.codec === 'h264' ? this.type(n) === 5 : this.type(n) >= 16 && this.type(n) <= 21));
    if (!keyframe || this.setTypes.every((t) => inBand.has(t))) return kept;
    return [...this.setTypes.flatMap((t) => this.stored.get(t) ?? []), ...kept];
  }
}

for (const codec of ['h264', 'h265'] as const) {
  test(`${codec}: generated access units come back byte for byte, in packets within the size, marked and numbered right`, () => {
    const accessUnit = fc.record({ nals: fc.array(nalSpec(codec), { minLength: 1, maxLength: 6 }), timestamp: fc.integer({ min: 0, max: 2 ** 40 }) }, { noNullPrototype: true });
    const setsAtStart = fc.subarray(codec === 'h264' ? [0, 1] : [0, 1, 2]);
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 1500 }), fc.integer({ min: 0, max: 0xffff }), setsAtStart, fc.array(accessUnit, { minLength: 1, maxLength: 4 }), (maxPacketSize, firstSequence, setIndexes, units) => {
        const rtp = new RtpVideoPacketizer(codec, { payloadType: 97, ssrc: 0xdeadbeef, maxPacketSize, firstSequence });
        const expected = new ExpectedStream(codec);
        const allSets = codec === 'h264' ? [SPS, PPS] : [VPS265, SPS265, PPS265];
        const sets = setIndexes.map((i) => allSets[i]);
        rtp.setParameterSets(sets);
        expected.setParameterSets(sets);
        let sequence = firstSequence;
        for (const unit of units) {
          const nals = unit.nals.map((s) => makeNal(codec, s));
          const want = expected.accessUnit(nals);
          const packets = rtp.packetize(nals, unit.timestamp);
          for (const p of packets) assert.ok(p.length <= maxPacketSize, `a packet of ${p.length} bytes, over ${maxPacketSize}`);
          const out = unpack(codec, packets);
          assert.deepEqual(hexOf(out.nals), hexOf(want));
          assert.equal(packets.length === 0, want.length === 0);
          out.packets.forEach((p, i) => {
            assert.equal(p.marker, i === packets.length - 1, 'the marker on the last packet only');
            assert.equal(p.timestamp, unit.timestamp % 2 ** 32);
            assert.equal(p.sequence, sequence, 'sequence numbers one apart');
            assert.equal(p.payloadType, 97);
            assert.equal(p.ssrc, 0xdeadbeef);
            sequence = (sequence + 1) & 0xffff;
          });
          // A unit that fits its own packet is never fragmented.
          const fragmented = out.kinds.filter((k) => k.startsWith('FU')).length;
          if (want.every((n) => n.length <= maxPacketSize - 12)) assert.equal(fragmented, 0);
        }
        assert.equal(rtp.nextSequence, sequence);
      }),
      { numRuns: 120 },
    );
  });
}
