// Parameter sets from real encoders, read into what an MP4 needs: size, frame rate, RFC 6381 codec string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unescapeRbsp } from '../../src/host/bitstream/bits';
import { UserError } from '../../src/shared/user-error';
import { HevcSps, codecString, parseAvcSps, parseHevcSps, parseHevcVpsFrameRate } from '../../src/host/bitstream/sps';
import { hex } from '../support/bytes';

// Written by ffmpeg 5.1 (Debian 12) with libx264 core 164 and libx265 3.5 from its testsrc2 pattern:
//   ffmpeg -f lavfi -i testsrc2=size=WxH:rate=R -c:v libx264|libx265 [options] -f h264|hevc out
// and cut out of the stream at their start codes.
const X264_HIGH_640x360_25 = hex('6764001eacb201405ff2e022000003000200000300641e2c5c90'); // -bf 0
const X264_BASELINE_1080P_2997 = hex('6742c028d900780227e5c04400000fa40003a9803c60c920'); // -profile:v baseline -level 4.0
const X264_HIGH444_CIF_30 = hex('67f4000d919b282c12d80880000003008000001e078a14cb'); // -pix_fmt yuv444p, B-frames on
const X265_MAIN_640x360_25 = {
  vps: hex('40010c01ffff01600000030090000003000003003f928090'),
  sps: hex('42010101600000030090000003000003003fa0050201696592a4932bc05a020000030002000003003210'),
};
const X265_MAIN10_720P_50 = hex('420101022000000300900000030000030078a00280802d1365959a4932bc05a020000003002000000641'); // -pix_fmt yuv420p10le
// The 640x360 stream above through `-bsf:v hevc_metadata=tick_rate=30000/1001`, which adds VPS timing info.
const X265_VPS_2997 = hex('40010c01ffff01600000030090000003000003003f9280c00000fa40001d4c14');

test('x264 High: profile, level, size after frame cropping (368 coded rows), 25 fps from the VUI', () => {
  const sps = parseAvcSps(X264_HIGH_640x360_25);
  assert.deepEqual(
    { profile: sps.profileIdc, constraints: sps.constraintFlags, level: sps.levelIdc, chroma: sps.chromaFormatIdc, depth: sps.bitDepthLuma },
    { profile: 100, constraints: 0, level: 30, chroma: 1, depth: 8 },
  );
  assert.deepEqual([sps.width, sps.height], [640, 360]);
  assert.deepEqual(sps.frameRate, { num: 25, den: 1 });
  assert.equal(sps.maxNumReorderFrames, 0, 'no B-frames');
  assert.equal(codecString(sps), 'avc1.64001e');
});

test('x264 Constrained Baseline 1080p: constraint flags in the codec string, 1088 rows cropped to 1080, 30000/1001 fps', () => {
  const sps = parseAvcSps(X264_BASELINE_1080P_2997);
  assert.equal(codecString(sps), 'avc1.42c028');
  assert.deepEqual([sps.width, sps.height], [1920, 1080]);
  assert.deepEqual(sps.frameRate, { num: 30000, den: 1001 });
  assert.equal(sps.picOrderCntType, 2);
});

test('x264 High 4:4:4 Predictive: 4:4:4 chroma, and B-frames declared in the VUI', () => {
  const sps = parseAvcSps(X264_HIGH444_CIF_30);
  assert.equal(codecString(sps), 'avc1.f4000d');
  assert.equal(sps.chromaFormatIdc, 3);
  assert.deepEqual([sps.width, sps.height], [352, 288]);
  assert.deepEqual(sps.frameRate, { num: 30, den: 1 });
  assert.equal(sps.maxNumReorderFrames, 2);
  assert.equal(sps.picOrderCntType, 0);
});

test('x265 Main: hev1.1.6.L63.90 (compatibility flags 1 and 2 reversed, progressive + frame-only), fps from the SPS VUI', () => {
  const sps = parseHevcSps(X265_MAIN_640x360_25.sps);
  assert.equal(codecString(sps), 'hev1.1.6.L63.90');
  assert.equal(codecString(sps, 'hvc1'), 'hvc1.1.6.L63.90');
  assert.deepEqual([sps.width, sps.height], [640, 360]);
  assert.deepEqual(sps.frameRate, { num: 25, den: 1 });
  assert.equal(sps.maxNumReorderPics, 0);
  assert.equal(parseHevcVpsFrameRate(X265_MAIN_640x360_25.vps), undefined, 'x265 puts no timing in its VPS');
});

test('x265 Main 10: profile 2, compatibility flag 2 alone, 10-bit, level 4, 50 fps', () => {
  const sps = parseHevcSps(X265_MAIN10_720P_50);
  assert.equal(codecString(sps), 'hev1.2.4.L120.90');
  assert.deepEqual([sps.bitDepthLuma, sps.bitDepthChroma], [10, 10]);
  assert.deepEqual([sps.width, sps.height], [1280, 720]);
  assert.deepEqual(sps.frameRate, { num: 50, den: 1 });
});

test('an H.265 VPS with timing info gives the frame rate', () => {
  assert.deepEqual(parseHevcVpsFrameRate(X265_VPS_2997), { num: 30000, den: 1001 });
});

test('H.265 codec strings: profile space letter, high tier, zero constraint bytes dropped only at the end', () => {
  const ptl: HevcSps = {
    ...parseHevcSps(X265_MAIN_640x360_25.sps),
    profileSpace: 1,
    tierFlag: 1,
    profileIdc: 2,
    compatibilityFlags: 0x20000000,
    constraintBytes: [0xb0, 0, 0x10, 0, 0, 0],
    levelIdc: 153,
  };
  assert.equal(codecString(ptl), 'hev1.A2.4.H153.B0.0.10');
  assert.equal(codecString({ ...ptl, constraintBytes: [0, 0, 0, 0, 0, 0] }), 'hev1.A2.4.H153');
});

test('emulation-prevention bytes are removed, other bytes kept', () => {
  assert.deepEqual([...unescapeRbsp(hex('0000030100000302'))], [0, 0, 1, 0, 0, 2]);
  assert.deepEqual([...unescapeRbsp(hex('00000300000300'))], [0, 0, 0, 0, 0]);
  assert.deepEqual([...unescapeRbsp(hex('000103'))], [0, 1, 3], 'a 03 not after two zeros is data');
});

test('a truncated SPS is a UserError, not a crash', () => {
  assert.throws(() => parseAvcSps(X264_HIGH_640x360_25.subarray(0, 6)), (e) => e instanceof UserError && /H\.264 SPS is truncated/.test(e.message));
  assert.throws(() => parseHevcSps(X265_MAIN_640x360_25.sps.subarray(0, 10)), (e) => e instanceof UserError && /H\.265 SPS is truncated/.test(e.message));
});
