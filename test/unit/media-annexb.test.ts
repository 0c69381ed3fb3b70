// Annex-B streams cut into NAL units and pictures: start codes, access unit boundaries, keyframes, codec sniffing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/shared/user-error';
import { groupAccessUnits, sniffCodec, splitNalUnits, toAnnexB } from '../../src/host/bitstream/annexb';
import { hex, hexOf } from '../support/bytes';

// Parameter sets from libx264 / libx265 (see media-sps.test.ts); slices are just headers: first byte(s) of a NAL unit,
// then the first bit of the slice header (first_mb_in_slice == 0 / first_slice_segment_in_pic_flag).
const AVC = {
  sps: '6764001eacb201405ff2e022000003000200000300641e2c5c90',
  pps: '68ebc3cb22c0',
  sei: '0605ffff',
  aud: '09f0',
  idr: '6588840021', // first_mb_in_slice 0
  idrPart2: '65405eff', // first_mb_in_slice > 0: same picture
  p: '419a2468',
  pPart2: '41001a02',
};
const HEVC = {
  vps: '40010c01ffff01600000030090000003000003003f928090',
  sps: '42010101600000030090000003000003003fa0050201696592a4932bc05a020000030002000003003210',
  pps: '4401c172b46240',
  sei: '4e0105ff',
  suffixSei: '5001ff',
  aud: '460150',
  idr: '2601af09', // IDR_W_RADL, first slice segment
  idrPart2: '26010a40', // a later segment of the same picture
  trail: '0201d004', // TRAIL_R
  cra: '2a01ad10', // CRA
};

test('NAL units are found between 3- and 4-byte start codes, without the zeros around them', () => {
  const stream = hex('00 00 00 00 01 6764 00 00 01 68ee 00 00 00 00 01 6588 0000');
  const units = [...splitNalUnits(stream)];
  assert.deepEqual(hexOf(units), ['6764', '68ee', '6588']);
  assert.equal(units[0].buffer, stream.buffer, 'views into the stream, not copies');
});

test('bytes that do not begin with a start code are not Annex-B', () => {
  assert.throws(() => [...splitNalUnits(hex('ff 00 00 01 67'))], (e) => e instanceof UserError && /no start code at the beginning/.test(e.message));
  assert.throws(() => [...splitNalUnits(Buffer.from('hello, world'))], (e) => e instanceof UserError && /no start code found/.test(e.message));
});

test('H.264: a picture starts at its first slice or at the SPS/PPS/SEI/AUD before it; later slices stay with it', () => {
  const nals = [AVC.sps, AVC.pps, AVC.sei, AVC.idr, AVC.idrPart2, AVC.p, AVC.pPart2, AVC.aud, AVC.p, AVC.sps, AVC.pps, AVC.idr].map(hex);
  const units = groupAccessUnits('h264', nals);
  assert.deepEqual(
    units.map((u) => hexOf(u.nals)),
    [[AVC.sps, AVC.pps, AVC.sei, AVC.idr, AVC.idrPart2], [AVC.p, AVC.pPart2], [AVC.aud, AVC.p], [AVC.sps, AVC.pps, AVC.idr]],
  );
  assert.deepEqual(units.map((u) => u.keyframe), [true, false, false, true]);
});

test('H.265: VPS/SPS/PPS/SEI/AUD open a picture, suffix SEI closes one, IDR and CRA are keyframes', () => {
  const nals = [HEVC.vps, HEVC.sps, HEVC.pps, HEVC.sei, HEVC.idr, HEVC.idrPart2, HEVC.suffixSei, HEVC.trail, HEVC.aud, HEVC.cra, HEVC.trail].map(hex);
  const units = groupAccessUnits('h265', nals);
  assert.deepEqual(
    units.map((u) => hexOf(u.nals)),
    [[HEVC.vps, HEVC.sps, HEVC.pps, HEVC.sei, HEVC.idr, HEVC.idrPart2, HEVC.suffixSei], [HEVC.trail], [HEVC.aud, HEVC.cra], [HEVC.trail]],
  );
  assert.deepEqual(units.map((u) => u.keyframe), [true, false, true, false]);
});

test('units after the last picture join it, so no byte of the stream is lost', () => {
  const units = groupAccessUnits('h264', [AVC.sps, AVC.pps, AVC.idr, AVC.sei, '0b'].map(hex));
  assert.equal(units.length, 1);
  assert.deepEqual(hexOf(units[0].nals), [AVC.sps, AVC.pps, AVC.idr, AVC.sei, '0b']);
});

test('the codec is told apart by its parameter sets', () => {
  assert.equal(sniffCodec([AVC.sps, AVC.pps, AVC.sei, AVC.idr].map(hex)), 'h264');
  assert.equal(sniffCodec([HEVC.vps, HEVC.sps, HEVC.pps, HEVC.sei, HEVC.idr].map(hex)), 'h265');
  assert.equal(sniffCodec([AVC.idr, AVC.p].map(hex)), undefined, 'no parameter sets, no verdict');
  assert.equal(sniffCodec([hex('ff00'), hex('6764')]), undefined, 'a forbidden_zero_bit set: not video');
});

test('access units go back to Annex-B with 4-byte start codes and come out the same', () => {
  const nals = [AVC.sps, AVC.pps, AVC.idr].map(hex);
  const stream = toAnnexB(nals);
  assert.equal(Buffer.from(stream).toString('hex'), `00000001${AVC.sps}00000001${AVC.pps}00000001${AVC.idr}`);
  assert.deepEqual(hexOf([...splitNalUnits(stream)]), hexOf(nals));
});
