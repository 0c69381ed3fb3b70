// The SDP a DESCRIBE answers with, for parameter sets the agent really sends (taken from the avcC and hvcC of
// `k230live record` against the simulated board, 1280x720); and what each RTSP path describes: /k230 the
// pictures and the sound, /k230-video the pictures alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAvcSps, parseHevcSps } from '../../src/host/bitstream/sps';
import { sessionDescription, type SessionOptions } from '../../src/host/stream-server/rtsp/sdp';
import { describedSession, RTSP_PATHS, rtspPathOf } from '../../src/host/stream-server/rtsp/rtsp-server';
import { AudioCodec, Codec, Source } from '../../src/protocol/messages';
import { hex } from '../support/bytes';

const AVC = { sps: hex('6742c01fda014016e840000003004000000f23c60ca8'), pps: hex('68ce3c80') };
const HEVC = {
  vps: hex('40010c01ffff01600000030090000003000003005dba0240'),
  sps: hex('42010101600000030090000003000003005da00280802d165ba4a4c2e010000003001000000301e080'),
  pps: hex('4401c073c189'),
};

const h264Session = (over: Partial<SessionOptions> = {}): SessionOptions => ({
  origin: '192.168.1.20',
  sessionName: 'K230 Live',
  video: { codec: 'h264', payloadType: 96, control: 'trackID=0', ...AVC },
  sound: { codec: 'g711u', rate: 8000, payloadType: 0, control: 'trackID=1' },
  ...over,
});

test('H.264 and µ-law at 8000 Hz: the whole description', () => {
  assert.equal(
    sessionDescription(h264Session()),
    [
      'v=0',
      'o=- 0 0 IN IP4 192.168.1.20',
      's=K230 Live',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'a=control:*',
      'a=range:npt=now-',
      'm=video 0 RTP/AVP 96',
      'a=rtpmap:96 H264/90000',
      'a=fmtp:96 packetization-mode=1;profile-level-id=42c01f;sprop-parameter-sets=Z0LAH9oBQBboQAAAAwBAAAAPI8YMqA==,aM48gA==',
      'a=control:trackID=0',
      'm=audio 0 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=control:trackID=1',
      '',
    ].join('\r\n'),
  );
});

test('profile-level-id is the SPS profile_idc, constraint flags and level_idc; sprop-parameter-sets decode to the sets', () => {
  const fmtp = /a=fmtp:96 (.*)\r\n/.exec(sessionDescription(h264Session()))![1];
  const params = Object.fromEntries(fmtp.split(';').map((p) => p.split('=', 2) as [string, string]));
  const sps = parseAvcSps(AVC.sps);
  assert.equal([sps.width, sps.height].join('x'), '1280x720');
  const id = [sps.profileIdc, sps.constraintFlags, sps.levelIdc].map((b) => b.toString(16).padStart(2, '0')).join('');
  assert.equal(params['profile-level-id'], id);
  const sets = /sprop-parameter-sets=([^;]*)/.exec(fmtp)![1].split(',');
  assert.deepEqual(sets.map((s) => Buffer.from(s, 'base64').toString('hex')), [AVC.sps, AVC.pps].map((b) => Buffer.from(b).toString('hex')));
});

test('H.265 and A-law at 16000 Hz: sprop-vps/sps/pps and the profile, tier and level of the SPS', () => {
  const text = sessionDescription({
    origin: '::ffff:127.0.0.1',
    sessionName: 'K230 Live',
    sessionId: '3908300000',
    video: { codec: 'h265', payloadType: 96, control: 'trackID=0', ...HEVC },
    sound: { codec: 'g711a', rate: 16000, payloadType: 97, control: 'trackID=1' },
  });
  const sps = parseHevcSps(HEVC.sps);
  assert.deepEqual([sps.profileIdc, sps.tierFlag, sps.levelIdc, sps.width, sps.height], [1, 0, 93, 1280, 720]);
  assert.equal(
    text,
    [
      'v=0',
      'o=- 3908300000 0 IN IP4 127.0.0.1',
      's=K230 Live',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'a=control:*',
      'a=range:npt=now-',
      'm=video 0 RTP/AVP 96',
      'a=rtpmap:96 H265/90000',
      'a=fmtp:96 profile-id=1;tier-flag=0;level-id=93;sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwBdugJA;sprop-sps=QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WW6SkwuAQAAADABAAAAMB4IA=;sprop-pps=RAHAc8GJ',
      'a=control:trackID=0',
      'm=audio 0 RTP/AVP 97',
      'a=rtpmap:97 PCMA/16000',
      'a=control:trackID=1',
      '',
    ].join('\r\n'),
  );
});

test('video only: no m=audio', () => {
  const text = sessionDescription(h264Session({ sound: undefined }));
  assert.ok(!text.includes('m=audio'));
  assert.ok(text.endsWith('a=control:trackID=0\r\n'));
});

test('every line ends in CRLF, with no bare CR or LF', () => {
  const text = sessionDescription(h264Session({ sessionName: 'two\nlines\r' }));
  assert.ok(text.endsWith('\r\n'));
  assert.equal(text.replace(/\r\n/g, '').search(/[\r\n]/), -1);
  assert.ok(text.includes('s=two lines \r\n'), 'a name with line breaks keeps to its line');
  assert.ok(sessionDescription(h264Session({ sessionName: '' })).includes('s= \r\n'), 'no name is one space (RFC 4566 §5.3)');
});

test('an IPv6 origin is IP6 in o= and c=, without its zone', () => {
  const text = sessionDescription(h264Session({ origin: 'fe80::1%eth0' }));
  assert.ok(text.includes('o=- 0 0 IN IP6 fe80::1\r\n'));
  assert.ok(text.includes('c=IN IP6 ::\r\n'));
});

test('what cannot be described is refused', () => {
  assert.throws(() => sessionDescription(h264Session({ origin: 'board.local' })), /not an IP address/);
  assert.throws(() => sessionDescription(h264Session({ sessionId: '12ab' })), /not a number/);
  assert.throws(() => sessionDescription(h264Session({ video: { codec: 'h264', payloadType: 96, control: 'trackID=0', sps: AVC.pps, pps: AVC.sps } })), /not an H.264 SPS/);
  assert.throws(() => sessionDescription(h264Session({ video: { codec: 'h264', payloadType: 96, control: 'track 0', ...AVC } })), /white space/);
  assert.throws(() => sessionDescription(h264Session({ video: { codec: 'h264', payloadType: 200, control: 'trackID=0', ...AVC } })), RangeError);
  assert.throws(() => sessionDescription(h264Session({ video: { codec: 'h265', payloadType: 96, control: 'trackID=0', sps: HEVC.sps, pps: HEVC.pps } })), /needs the VPS/);
});

// ---- what each RTSP path describes (rtsp-server.ts answers DESCRIBE with sessionDescription(describedSession(...)))

const H264_ULAW = { codec: Codec.H264, audio: { codec: AudioCodec.G711U, rate: 8000 } };

test('DESCRIBE of /k230 with the sound on: the whole description above, pictures and sound', () => {
  assert.equal(sessionDescription(describedSession(RTSP_PATHS.main, H264_ULAW, AVC, '192.168.1.20')), sessionDescription(h264Session()));
});

test('DESCRIBE of /k230-video with the sound on: the same description without its audio media', () => {
  const withSound = sessionDescription(describedSession(RTSP_PATHS.main, H264_ULAW, AVC, '192.168.1.20'));
  const videoOnly = sessionDescription(describedSession(RTSP_PATHS.videoOnly, H264_ULAW, AVC, '192.168.1.20'));
  assert.equal(videoOnly, withSound.slice(0, withSound.indexOf('m=audio')));
  assert.ok(!videoOnly.includes('m=audio') && !videoOnly.includes('PCMU') && !videoOnly.includes('trackID=1'));
});

test('with the sound off, both paths describe the pictures alone, the same way', () => {
  const stream = { codec: Codec.H264, audio: undefined };
  const main = sessionDescription(describedSession(RTSP_PATHS.main, stream, AVC, '192.168.1.20'));
  assert.equal(main, sessionDescription(describedSession(RTSP_PATHS.videoOnly, stream, AVC, '192.168.1.20')));
  assert.ok(!main.includes('m=audio'));
});

test('H.265 and A-law at 16000 Hz on /k230-video: the H.265 video alone', () => {
  const text = sessionDescription(describedSession(RTSP_PATHS.videoOnly, { codec: Codec.H265, audio: { codec: AudioCodec.G711A, rate: 16000 } }, HEVC, '127.0.0.1'));
  assert.ok(text.includes('a=rtpmap:96 H265/90000\r\n'));
  assert.ok(text.endsWith('a=control:trackID=0\r\n'));
  const main = sessionDescription(describedSession(RTSP_PATHS.main, { codec: Codec.H265, audio: { codec: AudioCodec.G711A, rate: 16000 } }, HEVC, '127.0.0.1'));
  assert.ok(main.endsWith('m=audio 0 RTP/AVP 97\r\na=rtpmap:97 PCMA/16000\r\na=control:trackID=1\r\n'));
});

test('each request path falls under its own entry, a track URL under its session; other paths under none (404)', () => {
  const cases: [string, string | undefined][] = [
    ['/k230', '/k230'],
    ['/k230/trackID=0', '/k230'],
    ['/k230/trackID=1', '/k230'],
    ['/k230-video', '/k230-video'],
    ['/k230-video/trackID=0', '/k230-video'],
    ['/k230-video/trackID=1', '/k230-video'], // its SETUP gets 404: the path has no sound track
    ['/k230-display', '/k230-display'],
    ['/k230-display/trackID=1', '/k230-display'],
    ['/k230-display-video/trackID=0', '/k230-display-video'],
    ['/k230-videos', undefined],
    ['/k230x', undefined],
    ['/k23', undefined],
    ['/', undefined],
    ['/video/k230', undefined],
  ];
  for (const [path, entry] of cases) assert.equal(rtspPathOf(path)?.path, entry, path);
  assert.deepEqual(Object.values(RTSP_PATHS).map((p) => [p.path, p.sound, p.source]), [
    ['/k230', true, Source.Camera], ['/k230-video', false, Source.Camera], ['/k230-display', true, Source.Display], ['/k230-display-video', false, Source.Display],
  ]);
});
