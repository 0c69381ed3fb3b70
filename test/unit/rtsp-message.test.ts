// The RTSP server's reader of a client's connection (src/host/stream-server/rtsp/: rtsp-reader.ts, rtsp-response.ts, rtsp-transport.ts): the requests
// real clients send, byte for byte, cut at every point; then fast-check properties: arbitrary bytes never
// make it throw and nothing follows 'malformed'; valid requests with interleaved frames between them come
// back exactly, however they are cut; limits are enforced without holding more than a limit's worth.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fc from 'fast-check';
import { RTSP_LIMITS, RtspItem, RtspLimits, RtspReader, RtspRequest } from '../../src/host/stream-server/rtsp/rtsp-reader';
import { interleavedFrame, rtspResponse } from '../../src/host/stream-server/rtsp/rtsp-response';
import { parseTransport, parseTransports } from '../../src/host/stream-server/rtsp/rtsp-transport';
import { ascii, concat } from '../support/bytes';
import { anyDamage, damaged } from '../support/damage';

// The same generated cases on every run, as in framing-properties.test.ts; FC_SEED=<number> explores others.
fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261201 });

// ---- what real clients send, as their sources build it

const URL = 'rtsp://127.0.0.1:8554/k230';
// SETUP URLs: the SDP's a=control "trackID=0" / "trackID=1" (sdp.ts) resolved against the URL asked for.
const TRACK0 = `${URL}/trackID=0`;
const TRACK1 = `${URL}/trackID=1`;
const SESSION = '5c3f9a1e7d2b4068';

/** Lines joined by CRLF, ending with the empty line. */
const request = (...lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

// FFmpeg (ffmpeg / ffprobe / ffplay -rtsp_transport tcp -i rtsp://...), libavformat/rtsp.c
// rtsp_send_cmd_with_content_async (FFmpeg/FFmpeg@001ccbc5): "METHOD URL RTSP/1.0", then the caller's headers
// (Accept / Transport / Range), then "CSeq: n" (counting from 1), "User-Agent: Lavf<version>" (LIBAVFORMAT_IDENT),
// "Session: <id>" once a SETUP reply gave one (the id only: FFmpeg cuts the reply's ";timeout=" off, and uses
// it to time its keep-alives), Content-Length only with a body (never, for a player). The rest is
// libavformat/rtspdec.c (FFmpeg/FFmpeg@01e1567d):
// - DESCRIBE: "Accept: application/sdp" (ff_rtsp_setup_input_streams)
// - SETUP per stream at its control URL: "Transport: RTP/AVP/TCP;unicast;interleaved=0-1", then 2-3, ...
//   (rtsp.c ff_rtsp_make_setup_request: interleave += 2 per stream)
// - PLAY at the aggregate URL (the DESCRIBE URL, or the reply's Content-Base): "Range: npt=0.000-"
//   (rtsp_read_play: "npt=%d.%03d-" of the seek position, 0)
// - keep-alive every timeout/2 (default timeout 60 s): GET_PARAMETER if OPTIONS' reply listed it in Public,
//   else OPTIONS (rtsp_read_packet), sent without waiting for the reply
// - TEARDOWN at the aggregate URL when closing (rtsp_read_close), likewise not waited for
const LAVF = 'Lavf60.16.100';
const ffmpegTcp = [
  request(`OPTIONS ${URL} RTSP/1.0`, 'CSeq: 1', `User-Agent: ${LAVF}`),
  request(`DESCRIBE ${URL} RTSP/1.0`, 'Accept: application/sdp', 'CSeq: 2', `User-Agent: ${LAVF}`),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'CSeq: 3', `User-Agent: ${LAVF}`),
  request(`SETUP ${TRACK1} RTSP/1.0`, 'Transport: RTP/AVP/TCP;unicast;interleaved=2-3', 'CSeq: 4', `User-Agent: ${LAVF}`, `Session: ${SESSION}`),
  request(`PLAY ${URL} RTSP/1.0`, 'Range: npt=0.000-', 'CSeq: 5', `User-Agent: ${LAVF}`, `Session: ${SESSION}`),
  request(`GET_PARAMETER ${URL} RTSP/1.0`, 'CSeq: 6', `User-Agent: ${LAVF}`, `Session: ${SESSION}`),
  request(`TEARDOWN ${URL} RTSP/1.0`, 'CSeq: 7', `User-Agent: ${LAVF}`, `Session: ${SESSION}`),
];

// FFmpeg without -rtsp_transport, and so OBS's Media Source, which sets no rtsp_transport: it passes only
// buffer_size to avformat_open_input (obsproject/obs-studio@feb38a51
// deps/media-playback/media-playback/media.c init_avformat). ff_rtsp_connect tries the lowest lower transport first, UDP
// ("RTP/AVP/UDP;unicast;client_port=<even port>-<port+1>", the port random in min_port..max_port). A 461
// to the first stream's SETUP makes it drop UDP and set up again with TCP, the CSeq counting on.
const ffmpegUdpFirst = [
  request(`OPTIONS ${URL} RTSP/1.0`, 'CSeq: 1', `User-Agent: ${LAVF}`),
  request(`DESCRIBE ${URL} RTSP/1.0`, 'Accept: application/sdp', 'CSeq: 2', `User-Agent: ${LAVF}`),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'Transport: RTP/AVP/UDP;unicast;client_port=18734-18735', 'CSeq: 3', `User-Agent: ${LAVF}`),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'CSeq: 4', `User-Agent: ${LAVF}`),
];

// OpenCV (cv2.VideoCapture("rtsp://...") on its FFmpeg backend), modules/videoio/src/cap_ffmpeg_impl.hpp
// CvCapture_FFMPEG::open (opencv/opencv@004801f1): without OPENCV_FFMPEG_CAPTURE_OPTIONS it sets
// rtsp_flags=prefer_tcp (rtsp_transport=tcp with older FFmpeg), so its FFmpeg sets up TCP first; the
// requests are FFmpeg's, with the User-Agent of the FFmpeg OpenCV was built with.
const LAVF_OPENCV = 'Lavf59.27.100';
const opencv = [
  request(`OPTIONS ${URL} RTSP/1.0`, 'CSeq: 1', `User-Agent: ${LAVF_OPENCV}`),
  request(`DESCRIBE ${URL} RTSP/1.0`, 'Accept: application/sdp', 'CSeq: 2', `User-Agent: ${LAVF_OPENCV}`),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'CSeq: 3', `User-Agent: ${LAVF_OPENCV}`),
  request(`PLAY ${URL} RTSP/1.0`, 'Range: npt=0.000-', 'CSeq: 4', `User-Agent: ${LAVF_OPENCV}`, `Session: ${SESSION}`),
];

// GStreamer rtspsrc (gst-launch-1.0 rtspsrc location=rtsp://... ! ...), gst-plugins-good gst/rtsp/gstrtspsrc.c
// (GStreamer/gst-plugins-good@20bbeb5e) over gst-plugins-base gst-libs/gst/rtsp/gstrtspconnection.c
// serialize_message (GStreamer/gst-plugins-base@a379e0e5): "METHOD URL RTSP/1.0", "CSeq: n" at once (the
// connection counts from 1), then the headers in the order added: "User-Agent: GStreamer/<version>"
// (gst_rtspsrc_init_request), the request's own (Accept / Transport / Range), "Session: <id>" on every request
// once known, and "Date: <RFC 1123 date>" last (gen_date_string).
// - OPTIONS first, whose Public decides the keep-alive: GET_PARAMETER if listed, else OPTIONS
//   (gst_rtspsrc_send_keep_alive)
// - SETUP offers one transport at a time, in protocol_masks order for the default protocols=udp+udp-mcast+tcp:
//   "RTP/AVP;unicast;client_port=a-b" (no "/UDP": add_udp_str is FALSE), on 461 "RTP/AVP;multicast", on 461
//   "RTP/AVP/TCP;unicast;interleaved=0-1" (gst_rtspsrc_create_transports_string); once a stream is on TCP the
//   next ones offer only TCP, their channels after the highest the server answered (free_channel): 2-3
// - PLAY at the aggregate control with "Range: npt=0-" (gen_range_header; gst_rtsp_range_to_string drops the
//   zero fraction)
// - with do-rtcp (the default) it sends RTCP receiver reports on each stream's second channel as '$' frames
//   (gst_rtspsrc_sink_chain: gst_rtsp_message_init_data (&message, stream->channel[1]))
// - TEARDOWN at the aggregate control when stopping
const GST = 'GStreamer/1.22.0';
const DATE = 'Date: Mon, 01 Dec 2025 12:00:00 GMT';
const gstreamer = [
  request(`OPTIONS ${URL} RTSP/1.0`, 'CSeq: 1', `User-Agent: ${GST}`, DATE),
  request(`DESCRIBE ${URL} RTSP/1.0`, 'CSeq: 2', `User-Agent: ${GST}`, 'Accept: application/sdp', DATE),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'CSeq: 3', `User-Agent: ${GST}`, 'Transport: RTP/AVP;unicast;client_port=50412-50413', DATE),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'CSeq: 4', `User-Agent: ${GST}`, 'Transport: RTP/AVP;multicast', DATE),
  request(`SETUP ${TRACK0} RTSP/1.0`, 'CSeq: 5', `User-Agent: ${GST}`, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1', DATE),
  request(`SETUP ${TRACK1} RTSP/1.0`, 'CSeq: 6', `User-Agent: ${GST}`, 'Transport: RTP/AVP/TCP;unicast;interleaved=2-3', `Session: ${SESSION}`, DATE),
  request(`PLAY ${URL} RTSP/1.0`, 'CSeq: 7', `User-Agent: ${GST}`, 'Range: npt=0-', `Session: ${SESSION}`, DATE),
  request(`GET_PARAMETER ${URL} RTSP/1.0`, 'CSeq: 8', `User-Agent: ${GST}`, `Session: ${SESSION}`, DATE),
  request(`TEARDOWN ${URL} RTSP/1.0`, 'CSeq: 9', `User-Agent: ${GST}`, `Session: ${SESSION}`, DATE),
];

/** An RTCP compound packet as a receiver sends it: RR with one report block, SDES with a CNAME (RFC 3550 §6.4.2, §6.5). */
function rtcpReceiverReport(ssrc: number, reportee: number): Uint8Array {
  const rr = new DataView(new ArrayBuffer(32));
  rr.setUint8(0, 0x81); // V=2, RC=1
  rr.setUint8(1, 201); // RR
  rr.setUint16(2, 7); // 32-bit words - 1
  rr.setUint32(4, ssrc);
  rr.setUint32(8, reportee);
  rr.setUint32(12, 0x00000003); // fraction lost 0, cumulative lost 3
  rr.setUint32(16, 0x0001_2345); // extended highest sequence number
  rr.setUint32(20, 17); // jitter
  const cname = ascii('user@host');
  const chunk = 4 + 2 + cname.length + 1; // SSRC, CNAME item, END
  const sdes = new Uint8Array(4 + Math.ceil(chunk / 4) * 4); // the chunk padded to 32 bits with more nulls
  const v = new DataView(sdes.buffer);
  v.setUint8(0, 0x81); // V=2, SC=1
  v.setUint8(1, 202); // SDES
  v.setUint16(2, sdes.length / 4 - 1);
  v.setUint32(4, ssrc);
  sdes[8] = 1; // CNAME
  sdes[9] = cname.length;
  sdes.set(cname, 10);
  return concat([new Uint8Array(rr.buffer), sdes]);
}

/** GStreamer's session with its RTCP on channels 1 and 3 between the requests, as it sends once playing. */
const gstreamerStream = concat([
  ...gstreamer.slice(0, 7).map(ascii),
  interleavedFrame(1, rtcpReceiverReport(0x1234abcd, 0x0badf00d)),
  interleavedFrame(3, rtcpReceiverReport(0x1234abce, 0x0badf00e)),
  ascii(gstreamer[7]),
  interleavedFrame(1, rtcpReceiverReport(0x1234abcd, 0x0badf00d)),
  ascii(gstreamer[8]),
]);

const clients: Record<string, Uint8Array> = {
  'FFmpeg over TCP': ascii(ffmpegTcp.join('')),
  'FFmpeg trying UDP first (and OBS)': ascii(ffmpegUdpFirst.join('')),
  OpenCV: ascii(opencv.join('')),
  'GStreamer rtspsrc, with its RTCP': gstreamerStream,
};

function readAll(bytes: Uint8Array, limits?: RtspLimits): RtspItem[] {
  return new RtspReader(limits).push(bytes);
}

const requests = (items: RtspItem[]) => items.filter((i): i is RtspRequest => i.kind === 'request');

test("every client's session reads as its requests, in order, with nothing malformed", () => {
  const ffmpeg = requests(readAll(clients['FFmpeg over TCP']));
  assert.deepEqual(
    ffmpeg.map((r) => [r.method, r.uri, r.cseq]),
    [
      ['OPTIONS', URL, 1],
      ['DESCRIBE', URL, 2],
      ['SETUP', TRACK0, 3],
      ['SETUP', TRACK1, 4],
      ['PLAY', URL, 5],
      ['GET_PARAMETER', URL, 6],
      ['TEARDOWN', URL, 7],
    ],
  );
  assert.equal(ffmpeg[1].headers.get('accept'), 'application/sdp');
  assert.equal(ffmpeg[4].headers.get('range'), 'npt=0.000-');
  assert.equal(ffmpeg[4].headers.get('session'), SESSION);
  assert.equal(ffmpeg[0].headers.get('user-agent'), LAVF);
  for (const r of ffmpeg) assert.equal(r.body.length, 0);

  const gst = readAll(clients['GStreamer rtspsrc, with its RTCP']);
  assert.deepEqual(
    gst.map((i) => (i.kind === 'request' ? `${i.method} ${i.cseq}` : i.kind === 'interleaved' ? `$${i.channel} ${i.data.length}` : i.reason)),
    ['OPTIONS 1', 'DESCRIBE 2', 'SETUP 3', 'SETUP 4', 'SETUP 5', 'SETUP 6', 'PLAY 7', '$1 52', '$3 52', 'GET_PARAMETER 8', '$1 52', 'TEARDOWN 9'],
  );
  const play = requests(gst)[6];
  assert.equal(play.headers.get('date'), 'Mon, 01 Dec 2025 12:00:00 GMT');
  assert.equal(play.headers.get('range'), 'npt=0-');

  for (const [name, bytes] of Object.entries(clients)) {
    assert.ok(!readAll(bytes).some((i) => i.kind === 'malformed'), name);
  }
});

test('each SETUP gets the transport the server takes, or shows the UDP it must answer 461 to', () => {
  const transports = (stream: Uint8Array) => requests(readAll(stream)).filter((r) => r.method === 'SETUP').map((r) => parseTransport(r.headers.get('transport') ?? ''));
  assert.deepEqual(transports(clients['FFmpeg over TCP']), [
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1] },
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [2, 3] },
  ]);
  assert.deepEqual(transports(clients['FFmpeg trying UDP first (and OBS)']), [
    { profile: 'RTP/AVP/UDP', lowerTransport: 'UDP', delivery: 'unicast', clientPort: [18734, 18735] },
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1] },
  ]);
  assert.deepEqual(transports(gstreamerStream), [
    { profile: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'unicast', clientPort: [50412, 50413] },
    { profile: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'multicast' },
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1] },
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [2, 3] },
  ]);
});

test("every client's session cut at any byte gives the same items as read whole", () => {
  for (const [name, bytes] of Object.entries(clients)) {
    const whole = readAll(bytes);
    for (let at = 0; at <= bytes.length; at++) {
      const reader = new RtspReader();
      const cut = [...reader.push(bytes.subarray(0, at)), ...reader.push(bytes.subarray(at))];
      assert.deepStrictEqual(cut, whole, `${name} cut at ${at}`);
    }
    const reader = new RtspReader();
    const byByte: RtspItem[] = [];
    for (let at = 0; at < bytes.length; at++) byByte.push(...reader.push(bytes.subarray(at, at + 1)));
    assert.deepStrictEqual(byByte, whole, `${name} a byte at a time`);
    assert.equal(reader.pending, 0);
  }
});

// ---- what a robust server accepts

test('bare LF line ends, blank lines between requests, folded headers and a body are read as RFC 2326 allows', () => {
  const items = readAll(
    ascii(
      '\r\n\n' + // empty lines where a request line is expected are skipped (RFC 2616 §4.1)
        'SET_PARAMETER rtsp://h/k230 RTSP/1.0\nCSeq: 12\nContent-Type: text/parameters\nX-Note: first\n  second line\n\tthird\nContent-Length: 11\n\n' +
        'barparam: 1' +
        'OPTIONS * RTSP/1.0\r\nCSeq: 13\r\n\r\n',
    ),
  );
  assert.equal(items.length, 2);
  const [set, options] = requests(items);
  assert.equal(set.method, 'SET_PARAMETER');
  assert.equal(set.cseq, 12);
  assert.equal(set.headers.get('x-note'), 'first second line third');
  assert.equal(new TextDecoder().decode(set.body), 'barparam: 1');
  assert.equal(options.uri, '*');
  assert.equal(options.cseq, 13);
});

test('a repeated header is joined by commas; names are looked up in any case; values are UTF-8', () => {
  const [r] = requests(readAll(ascii(request('SETUP rtsp://h/k230/trackID=0 RTSP/1.0', 'cseq: 007', 'Transport: RTP/AVP;unicast;client_port=1-2', 'TRANSPORT: RTP/AVP/TCP;interleaved=4-5', 'User-Agent: Café/1.0 名'))));
  assert.equal(r.cseq, 7);
  assert.equal(r.headers.get('transport'), 'RTP/AVP;unicast;client_port=1-2, RTP/AVP/TCP;interleaved=4-5');
  assert.deepEqual(parseTransport(r.headers.get('transport') ?? ''), { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', interleaved: [4, 5] });
  assert.equal(r.headers.get('user-agent'), 'Café/1.0 名');
});

// ---- what is refused, and how

const malformed = (text: string | Uint8Array, limits?: RtspLimits) => {
  const items = readAll(typeof text === 'string' ? ascii(text) : text, limits);
  const last = items[items.length - 1];
  assert.equal(last?.kind, 'malformed', `not refused: ${JSON.stringify(items)}`);
  return last as Extract<RtspItem, { kind: 'malformed' }>;
};

test('malformed requests are refused with a reason, 505 for another RTSP version', () => {
  const cases: [string, RegExp, (400 | 505)?][] = [
    [request('OPTIONS rtsp://h/k230 RTSP/2.0', 'CSeq: 1'), /RTSP\/2\.0 is not supported/, 505],
    [request('GET /k230.mp4 HTTP/1.1', 'Host: h'), /not RTSP/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0'), /no CSeq/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: -1'), /not a non-negative integer/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1', 'CSeq: 2'), /CSeq given twice/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1', 'Content-Length: 1', 'Content-Length: 1'), /Content-Length given twice/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1', 'Content-Length: -3'), /Content-Length "-3" is not a number/],
    [request('OPTIONS  rtsp://h/k230 RTSP/1.0', 'CSeq: 1'), /not method, URI and version/],
    [request('OPTIONS rtsp://h/k 230 RTSP/1.0', 'CSeq: 1'), /not method, URI and version/],
    [request('OPT:ONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1'), /is not a token/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq : 1'), /header name that is not a token/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'no colon here'), /without a name and a colon/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', ' CSeq: 1'), /continuation line before any header/],
    ['OPTIONS rtsp://h/k230 RTSP/1.0\rCSeq: 1\r\r\n\r\n', /control or non-ASCII byte/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1\r2'), /control character/],
    [request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1\u0000'), /control character/],
    ['\u0016\u0003\u0001\u0002\u0000', /not an RTSP request/], // a TLS ClientHello: refused at its first byte
  ];
  for (const [text, reason, status = 400] of cases) {
    const m = malformed(text);
    assert.match(m.reason, reason, JSON.stringify(text));
    assert.equal(m.status, status, JSON.stringify(text));
  }
  assert.match(malformed(concat([ascii('OPTIONS rtsp://h/k230 RTSP/1.0\r\nCSeq: 1\r\nX: '), Uint8Array.of(0xc3, 0x28), ascii('\r\n\r\n')])).reason, /not UTF-8/);
});

test('after a malformed item the reader takes nothing more and holds nothing', () => {
  const reader = new RtspReader();
  const items = reader.push(ascii(request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1') + request('PLAY rtsp://h/k230 RTSP/2.0', 'CSeq: 2') + request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 3')));
  assert.deepEqual(items.map((i) => i.kind), ['request', 'malformed']);
  assert.ok(reader.closed);
  assert.equal(reader.pending, 0);
  assert.deepEqual(reader.push(ascii(request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 4'))), []);
  assert.deepEqual(reader.push(interleavedFrame(0, new Uint8Array(8))), []);
});

test('the limits: 8 KiB of request line and headers, 64 headers, a 64 KiB body', () => {
  const line = (n: number) => `X-Pad: ${'a'.repeat(n)}`;
  // exactly 8192 bytes of head is taken, one more is not
  const head = (padding: number) => request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1', line(padding));
  const fits = 8192 - head(0).length;
  assert.equal(ascii(head(fits)).length, 8192);
  assert.equal(readAll(ascii(head(fits)))[0].kind, 'request');
  assert.match(malformed(head(fits + 1)).reason, /over 8192 bytes/);

  const headers = (n: number) => request('OPTIONS rtsp://h/k230 RTSP/1.0', 'CSeq: 1', ...Array.from({ length: n - 1 }, (_, i) => `X-${i}: ${i}`));
  assert.equal(readAll(ascii(headers(64)))[0].kind, 'request');
  assert.match(malformed(headers(65)).reason, /more than 64 headers/);

  const body = (n: number) => concat([ascii(request('SET_PARAMETER rtsp://h/k230 RTSP/1.0', 'CSeq: 1', `Content-Length: ${n}`)), new Uint8Array(n)]);
  assert.equal(readAll(body(65536))[0].kind, 'request');
  // refused from the head alone, before any of the body is sent
  assert.match(malformed(request('SET_PARAMETER rtsp://h/k230 RTSP/1.0', 'CSeq: 1', 'Content-Length: 65537')).reason, /a body of "65537" bytes, over 65536/);
  assert.match(malformed(request('SET_PARAMETER rtsp://h/k230 RTSP/1.0', 'CSeq: 1', `Content-Length: ${'9'.repeat(40)}`)).reason, /over 65536/);

  // a line that never ends is refused as soon as it is too long, not when it ends
  const reader = new RtspReader();
  assert.deepEqual(reader.push(ascii(`OPTIONS rtsp://h/${'a'.repeat(8000)}`)), []);
  const [refused] = reader.push(ascii('a'.repeat(200)));
  assert.equal(refused.kind, 'malformed');
  assert.equal(reader.pending, 0);
});

// ---- what the server writes

test('rtspResponse writes the status line, the headers in order, Content-Length for a body', () => {
  const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=K230 — live\r\n';
  const text = new TextDecoder().decode(rtspResponse(200, 'OK', { CSeq: 2, 'Content-Base': `${URL}/`, 'Content-Type': 'application/sdp' }, sdp));
  assert.equal(text, `RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: ${URL}/\r\nContent-Type: application/sdp\r\nContent-Length: ${ascii(sdp).length}\r\n\r\n${sdp}`);
  assert.equal(new TextDecoder().decode(rtspResponse(461, 'Unsupported Transport', { CSeq: 3 })), 'RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n');
  assert.throws(() => rtspResponse(200, 'OK', { Session: 'x\r\nInjected: 1' }), RangeError);
  assert.throws(() => rtspResponse(200, 'O\nK', {}), RangeError);
  assert.throws(() => rtspResponse(200, 'OK', { 'Bad Name': 1 }), RangeError);
  assert.throws(() => rtspResponse(200, 'OK', { 'content-length': 3 }, 'abc'), RangeError);
  assert.throws(() => rtspResponse(20, 'OK', {}), RangeError);
});

test('interleavedFrame writes $, channel, big-endian length, data; the reader skips it exactly', () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  const frame = interleavedFrame(3, data);
  assert.deepEqual([...frame.subarray(0, 4)], [0x24, 3, 0x01, 0x2c]);
  assert.deepEqual(frame.subarray(4), data);
  assert.deepStrictEqual(readAll(concat([frame, interleavedFrame(0, new Uint8Array(0)), interleavedFrame(255, new Uint8Array(0xffff))])), [
    { kind: 'interleaved', channel: 3, data },
    { kind: 'interleaved', channel: 0, data: new Uint8Array(0) },
    { kind: 'interleaved', channel: 255, data: new Uint8Array(0xffff) },
  ]);
  assert.throws(() => interleavedFrame(256, data), RangeError);
  assert.throws(() => interleavedFrame(0, new Uint8Array(0x10000)), RangeError);
});

test('parseTransport takes the first RTP/AVP/TCP alternative, else shows the first one', () => {
  // RFC 2326 §12.39's own example of alternatives, then GStreamer 0.10's list, which ended in a bare TCP offer
  assert.deepEqual(parseTransport('RTP/AVP;multicast;ttl=127;mode="PLAY",\r\n RTP/AVP;unicast;client_port=3456-3457;mode="PLAY"'), {
    profile: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'multicast', mode: 'PLAY',
  });
  assert.deepEqual(parseTransport('RTP/AVP/UDP;unicast;client_port=5000-5001,RTP/AVP/UDP;multicast,RTP/AVP/TCP'), { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP' });
  // FFmpeg publishing (not served here: the server sees mode RECORD)
  assert.deepEqual(parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;mode=record'), {
    profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1], mode: 'RECORD',
  });
  assert.deepEqual(parseTransport('rtp/avp/tcp;interleaved=6'), { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', interleaved: [6, 6] });
  // a broken alternative is passed over; none at all is undefined
  assert.deepEqual(parseTransports('RTP/AVP/TCP;interleaved=300-301, RTP/AVP/TCP;interleaved=3-2, RTP/AVP/TCP;interleaved=x, RTP/AVP/TCP;interleaved=8-9'), [
    { profile: 'RTP/AVP/TCP', lowerTransport: 'TCP', interleaved: [8, 9] },
  ]);
  assert.equal(parseTransport(''), undefined);
  assert.equal(parseTransport('garbage'), undefined);
  assert.deepEqual(parseTransport('RTP/SAVP/TCP;interleaved=0-1'), { profile: 'RTP/SAVP/TCP', lowerTransport: 'TCP', interleaved: [0, 1] });
});

// ---- properties

const u8 = fc.integer({ min: 0, max: 0xff });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const chars = (codes: number[]) => fc.constantFrom(...codes.map((c) => String.fromCharCode(c)));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const TSPECIALS = '()<>@,;:\\"/[]?={} \t';
const tokenCodes = range(0x21, 0x7e).filter((c) => !TSPECIALS.includes(String.fromCharCode(c)));
const token = (maxLength: number) => fc.string({ unit: chars(tokenCodes), minLength: 1, maxLength });
const valueUnit = fc.oneof(chars([...range(0x20, 0x7e), 0x09]), fc.constantFrom('é', '名', '😀', '\u00a0'));

interface RequestModel {
  method: string;
  uri: string;
  cseq: number;
  cseqAt: number;
  fields: [string, string][];
  body: Uint8Array;
  statedLength: boolean;
  lf: boolean[];
  blankLines: number;
}

const requestModel: fc.Arbitrary<RequestModel> = fc.record(
  {
    method: token(16).filter((m) => m[0] !== '$'),
    uri: fc.string({ unit: chars(range(0x21, 0x7e)), minLength: 1, maxLength: 60 }),
    cseq: fc.nat(),
    cseqAt: fc.nat(),
    fields: fc.uniqueArray(
      fc.tuple(
        token(20).filter((n) => !['cseq', 'content-length'].includes(n.toLowerCase())),
        fc.string({ unit: valueUnit, maxLength: 40 }).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, '')),
      ),
      { selector: ([name]) => name.toLowerCase(), maxLength: 8 },
    ),
    body: bytes(120),
    statedLength: fc.boolean(),
    lf: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    blankLines: fc.nat(2),
  },
  { noNullPrototype: true },
);

/** The request's lines as sent, each with its line end: the request line, the headers, the empty line. */
function requestLines(m: RequestModel): string[] {
  const fields = [...m.fields];
  fields.splice(m.cseqAt % (fields.length + 1), 0, ['CSeq', String(m.cseq)]);
  if (m.body.length > 0 || m.statedLength) fields.push(['Content-Length', String(m.body.length)]);
  const lines = [`${m.method} ${m.uri} RTSP/1.0`, ...fields.map(([n, v]) => `${n}: ${v}`), ''];
  return lines.map((l, i) => l + (m.lf[i % m.lf.length] ? '\n' : '\r\n'));
}

function encodeRequest(m: RequestModel): Uint8Array {
  return concat([ascii('\r\n'.repeat(m.blankLines) + requestLines(m).join('')), m.body]);
}

/** Which limit a request breaks first, read line by line as the reader reads it. */
function brokenLimit(m: RequestModel, limits: RtspLimits): 'headBytes' | 'headers' | 'bodyBytes' | undefined {
  let bytes = 0;
  let headers = 0;
  for (const [i, line] of requestLines(m).entries()) {
    bytes += ascii(line).length;
    if (bytes > limits.headBytes) return 'headBytes';
    if (i === 0 || line.trim() === '') continue;
    if (headers === limits.headers) return 'headers';
    headers++;
  }
  return m.body.length > limits.bodyBytes ? 'bodyBytes' : undefined;
}

function expectedRequest(m: RequestModel): RtspRequest {
  const headers = new Map(m.fields.map(([n, v]) => [n.toLowerCase(), v]));
  headers.set('cseq', String(m.cseq));
  if (m.body.length > 0 || m.statedLength) headers.set('content-length', String(m.body.length));
  return { kind: 'request', method: m.method, uri: m.uri, version: 'RTSP/1.0', headers, cseq: m.cseq, body: m.body };
}

type Piece = { kind: 'request'; model: RequestModel } | { kind: 'frame'; channel: number; data: Uint8Array };
const piece: fc.Arbitrary<Piece> = fc.oneof(
  requestModel.map((model) => ({ kind: 'request' as const, model })),
  fc.tuple(u8, bytes(300)).map(([channel, data]) => ({ kind: 'frame' as const, channel, data })),
);
const encodePiece = (p: Piece) => (p.kind === 'request' ? encodeRequest(p.model) : interleavedFrame(p.channel, p.data));
const expectedItem = (p: Piece): RtspItem => (p.kind === 'request' ? expectedRequest(p.model) : { kind: 'interleaved', channel: p.channel, data: p.data });

/** Read sizes, used in turn until the stream is through: a socket's arbitrary reads. */
const readSizes = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 });

/** The largest partial item there is: what may be left held between reads. */
const holdBound = (limits: RtspLimits) => Math.max(limits.headBytes, limits.bodyBytes, 4 + 0xffff);

function readInPieces(stream: Uint8Array, sizes: number[], limits: RtspLimits = RTSP_LIMITS, bound = holdBound(limits)): RtspItem[] {
  const reader = new RtspReader(limits);
  const items: RtspItem[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const n = sizes[i % sizes.length];
    const got = reader.push(stream.subarray(at, at + n));
    at += n;
    assert.ok(reader.pending <= bound, `holds ${reader.pending} bytes, over ${bound}`);
    if (reader.closed) assert.equal(reader.pending, 0);
    items.push(...got);
  }
  return items;
}

function assertWellFormedOutput(items: RtspItem[]): void {
  const firstBad = items.findIndex((i) => i.kind === 'malformed');
  if (firstBad >= 0) assert.equal(firstBad, items.length - 1, 'items after a malformed one');
  for (const i of items) if (i.kind === 'malformed') assert.doesNotMatch(i.reason, /internal error/);
}

// Noise among requests and frames, and requests damaged the way a fuzzer damages them.
const damage = anyDamage(fc.constantFrom(0x0d, 0x0a, 0x24, 0x3a, 0x20, 0x00, 0xff));

const noisyPiece = fc.oneof(
  bytes(40),
  piece.map(encodePiece),
  fc.tuple(piece, damage).map(([p, d]) => damaged(encodePiece(p), d)),
  fc.constantFrom(...Object.values(clients)),
  fc.constantFrom(ascii('\r\n'), ascii('\n'), ascii('\r'), Uint8Array.of(0x24), ascii('RTSP/1.0'), ascii('Content-Length: 99999\r\n'), ascii(request('OPTIONS * RTSP/2.0', 'CSeq: 1'))),
);
const noisyStream = fc.array(noisyPiece, { maxLength: 8 }).map(concat);
const smallLimits: fc.Arbitrary<RtspLimits> = fc.record(
  { headBytes: fc.integer({ min: 1, max: 400 }), headers: fc.integer({ min: 0, max: 6 }), bodyBytes: fc.integer({ min: 0, max: 150 }) },
  { noNullPrototype: true },
);
const anyLimits = fc.oneof(fc.constant(RTSP_LIMITS), smallLimits);

test('arbitrary bytes in arbitrary reads never make the reader throw, and nothing follows malformed', () => {
  const seen = { request: 0, interleaved: 0, malformed: 0, 505: 0 };
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), noisyStream), readSizes, anyLimits, (stream, sizes, limits) => {
      const items = readInPieces(stream, sizes, limits);
      assertWellFormedOutput(items);
      for (const i of items) seen[i.kind]++;
      if (items.some((i) => i.kind === 'malformed' && i.status === 505)) seen[505]++;
    }),
    { numRuns: 400 },
  );
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `no run produced ${what}`);
});

test('the same bytes cut into other reads give the same items', () => {
  fc.assert(
    fc.property(noisyStream, readSizes, anyLimits, (stream, sizes, limits) => {
      assert.deepStrictEqual(readInPieces(stream, sizes, limits), readInPieces(stream, [stream.length || 1], limits));
    }),
    { numRuns: 300 },
  );
});

test('valid requests with interleaved frames between them come back exactly, however they are cut', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), readSizes, (pieces, sizes) => {
      const stream = concat(pieces.map(encodePiece));
      assert.deepStrictEqual(readInPieces(stream, sizes), pieces.map(expectedItem));
    }),
    { numRuns: 300 },
  );
});

test('over a limit, a request is refused for that limit, and no more than the limit is ever held', () => {
  const seen = { headBytes: 0, headers: 0, bodyBytes: 0, within: 0 };
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 4 }), readSizes, smallLimits, (pieces, sizes, limits) => {
      // Without frames, what is held between reads is part of one request: within its limits.
      const bound = pieces.some((p) => p.kind === 'frame') ? holdBound(limits) : Math.max(limits.headBytes, limits.bodyBytes);
      const items = readInPieces(concat(pieces.map(encodePiece)), sizes, limits, bound);
      // What the limits say of each piece in turn, up to the first that breaks one.
      for (const [i, p] of pieces.entries()) {
        const got = items[i];
        if (p.kind === 'frame') {
          assert.deepStrictEqual(got, expectedItem(p));
          continue;
        }
        const broken = brokenLimit(p.model, limits);
        seen[broken ?? 'within']++;
        if (broken === undefined) {
          assert.deepStrictEqual(got, expectedItem(p));
          continue;
        }
        const reason = { headBytes: /over \d+ bytes/, headers: /more than \d+ headers/, bodyBytes: /a body of/ }[broken];
        assert.ok(got.kind === 'malformed' && reason.test(got.reason), `${broken}: ${JSON.stringify(got)}`);
        assert.equal(items.length, i + 1);
        return;
      }
      assert.equal(items.length, pieces.length);
    }),
    { numRuns: 400 },
  );
  // the generated requests do reach every limit, and pass within them too
  for (const [what, count] of Object.entries(seen)) assert.ok(count > 0, `no run produced ${what}`);
});
