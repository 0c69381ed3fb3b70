// The board's stream for other programs, end to end with the real clients from Debian: ffprobe and
// ffmpeg over RTSP (TCP) and HTTP, GStreamer's rtspsrc, OpenCV's VideoCapture, Chromium's <video>;
// several at once beside the preview and a recording; a client that never reads; one that leaves.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { estimateClockOffset } from '../../src/host/session/clock-sync';
import { connectBoard } from '../../src/host/board/connect';
import { Mp4Recorder } from '../../src/host/recording/mp4-recorder';
import type { BoardSession, InitSegment } from '../../src/host/session/board-session';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CLIENT_QUEUE_BYTES } from '../../src/host/stream-server/client-feed';
import { shareStream, SharedStream } from '../../src/host/stream-server/share';
import { Codec, Profile } from '../../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium';
import { feedPage, openPlayerPage } from '../browser/harness';
import { runCli } from '../support/cli';
import { decodeErrors, probeVideo } from '../support/media';
import { sleep, waitFor } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-share-'));
const SETTINGS = { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 };
let board: SimulatedBoard;
let session: BoardSession;
let shared: SharedStream;

before(async () => {
  board = await startSimulatedBoard();
  session = await connectBoard(board.portPath);
  shared = await shareStream(session, { rtspPort: 0, httpPort: 0, listen: '127.0.0.1', clock: await estimateClockOffset(session) });
  await session.startStream(SETTINGS);
});
after(async () => {
  await shared.close();
  await session.disconnect();
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A client program, killed if it outlives `limitMs`. */
function run(cmd: string, args: string[], limitMs = 60_000): Promise<Run> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** ffmpeg decoding `frames` pictures of a URL: the per-frame CRC lines it printed, and its complaints. */
async function ffmpegDecodes(url: string, frames: number): Promise<{ frames: number; errors: string; size?: string }> {
  const input = url.startsWith('rtsp:') ? ['-rtsp_transport', 'tcp', '-i', url] : ['-i', url];
  const r = await run('ffmpeg', ['-nostdin', '-v', 'error', ...input, '-map', '0:v:0', '-frames:v', String(frames), '-f', 'framecrc', '-']);
  const lines = r.stdout.split('\n').filter((l) => /^0,/.test(l));
  return { frames: lines.length, errors: r.stderr.trim() + (r.code === 0 ? '' : ` (exit ${r.code})`), size: /#dimensions 0: (\d+x\d+)/.exec(r.stdout)?.[1] };
}

async function ffprobeCounts(url: string, frames: number): Promise<{ codec: string; width: number; height: number; frames: number; errors: string }> {
  const r = await run('ffprobe', [
    '-v', 'error', '-rtsp_transport', 'tcp', '-select_streams', 'v:0', '-count_frames', '-read_intervals', `%+#${frames}`,
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', url,
  ]);
  const s = JSON.parse(r.stdout || '{"streams":[{}]}').streams[0];
  return { codec: s.codec_name, width: s.width, height: s.height, frames: Number(s.nb_read_frames), errors: r.stderr.trim() + (r.code === 0 ? '' : ` (exit ${r.code})`) };
}

test('three clients at once, ffprobe and ffmpeg over RTSP and ffmpeg over HTTP, each decode 150 frames cleanly while the preview plays and a recording runs', async () => {
  const page = await openPlayerPage();
  const out = path.join(dir, 'recording.mp4');
  const recorder = Mp4Recorder.create(out, SETTINGS.fps);
  const stopFeeding = feedPage(page, session, await estimateClockOffset(session));
  const onInit = (i: InitSegment) => recorder.writeInit(i);
  const onFragment = (f: Parameters<Mp4Recorder['writeFragment']>[0]) => recorder.writeFragment(f);
  const onAudio = (c: Parameters<Mp4Recorder['writeAudio']>[0]) => recorder.writeAudio(c);
  session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio);
  try {
    await session.startStream(SETTINGS); // the preview and the recording start from this init segment
    const [probe, rtsp, http] = await Promise.all([
      ffprobeCounts(shared.urls.rtsp!, 150),
      ffmpegDecodes(shared.urls.rtsp!, 150),
      ffmpegDecodes(shared.urls.http!, 150),
    ]);
    assert.deepEqual(probe, { codec: 'h264', width: 640, height: 360, frames: 150, errors: '' }, 'ffprobe over RTSP');
    assert.deepEqual(rtsp, { frames: 150, errors: '', size: '640x360' }, 'ffmpeg over RTSP');
    assert.deepEqual(http, { frames: 150, errors: '', size: '640x360' }, 'ffmpeg over HTTP');
    const decodedInPreview = (await page.results()).stats.decodedFrames;
    assert.ok(decodedInPreview >= 100, `the preview went on decoding (${decodedInPreview} frames)`);
  } finally {
    session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio);
    stopFeeding();
    recorder.close();
    await page.close();
  }
  const v = probeVideo(out);
  assert.ok(v.frames >= 150, `the recording went on (${v.frames} frames)`);
  assert.equal(decodeErrors(out), '');
});

test('GStreamer reads the RTSP stream: rtspsrc ! rtph264depay ! avdec_h264, and the H.265 equivalent', async () => {
  for (const codec of ['h264', 'h265'] as const) {
    await session.startStream({ ...SETTINGS, codec: codec === 'h264' ? Codec.H264 : Codec.H265, profile: codec === 'h264' ? Profile.High : Profile.Main });
    await sleep(500);
    const r = await run('gst-launch-1.0', [
      '-q', 'rtspsrc', `location=${shared.urls.rtsp}`, 'protocols=tcp', 'latency=0', '!', `rtp${codec}depay`, '!', `avdec_${codec}`, '!',
      'video/x-raw,width=640,height=360', '!', 'fakesink', 'num-buffers=60',
    ]);
    assert.equal(r.code, 0, `gst-launch ${codec}: ${r.stderr}${r.stdout}`);
  }
  await session.startStream(SETTINGS);
});

test('OpenCV: cv2.VideoCapture on the RTSP URL reads 640x360 frames', async () => {
  const script = [
    'import cv2, sys',
    'cap = cv2.VideoCapture(sys.argv[1])',
    'shapes = []',
    'for _ in range(30):',
    '    ok, frame = cap.read()',
    '    if not ok: break',
    '    shapes.append(frame.shape)',
    'print(len(shapes), shapes[-1] if shapes else None)',
  ].join('\n');
  // Debian's python3-opencv imports only under Debian's own Python (docs: ENVIRONMENT).
  const r = await run('/usr/bin/python3', ['-c', script, shared.urls.rtsp!]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '30 (360, 640, 3)');
});

test('Chromium plays the HTTP stream in a <video>', async () => {
  const profile = fs.mkdtempSync(path.join(dir, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent('<video id="v" muted autoplay playsinline></video>');
    // As page source, not a function: the test runner's compiler would wrap a function's inner names.
    const result = await page.evaluate(`(async (url) => {
      const v = document.getElementById('v');
      let frames = 0;
      const counted = new Promise((resolve) => {
        const onFrame = () => (++frames >= 60 ? resolve() : v.requestVideoFrameCallback(onFrame));
        v.requestVideoFrameCallback(onFrame);
      });
      v.src = url;
      const failed = new Promise((resolve) => v.addEventListener('error', () => resolve('video error ' + v.error.code + ': ' + v.error.message)));
      const timeout = new Promise((resolve) => setTimeout(() => resolve('only ' + frames + ' frames in 20 s'), 20000));
      const outcome = await Promise.race([counted.then(() => 'ok'), failed, timeout]);
      return { outcome, width: v.videoWidth, height: v.videoHeight };
    })(${JSON.stringify(shared.urls.http)})`);
    assert.deepEqual(result, { outcome: 'ok', width: 640, height: 360 });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

/**
 * A client that sets up and plays, then never reads what comes: Debian's Python with a receive buffer
 * of 4 KiB, so that what it does not read waits on our side rather than in the kernel's buffers.
 */
function stalledClient(url: string): { ready: Promise<void>; stop(): void } {
  const { hostname, port, pathname } = new URL(url);
  const script = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((sys.argv[1], int(sys.argv[2])))
base = 'rtsp://%s:%s%s' % (sys.argv[1], sys.argv[2], sys.argv[3])
def ask(text):
    s.sendall(text.encode())
    got = b''
    while b'\\r\\n\\r\\n' not in got:
        got += s.recv(1)
    head = got.decode()
    length = [int(l.split(':')[1]) for l in head.split('\\r\\n') if l.lower().startswith('content-length')]
    body = b''
    while length and len(body) < length[0]:
        body += s.recv(length[0] - len(body))
    return head
ask('DESCRIBE %s RTSP/1.0\\r\\nCSeq: 1\\r\\nAccept: application/sdp\\r\\n\\r\\n' % base)
setup = ask('SETUP %s/trackID=0 RTSP/1.0\\r\\nCSeq: 2\\r\\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\\r\\n\\r\\n' % base)
session = [l.split(':', 1)[1].strip().split(';')[0] for l in setup.split('\\r\\n') if l.lower().startswith('session:')][0]
s.sendall(('PLAY %s RTSP/1.0\\r\\nCSeq: 3\\r\\nSession: %s\\r\\n\\r\\n' % (base, session)).encode())
print('playing', flush=True)
time.sleep(120)
`;
  const child = spawn('/usr/bin/python3', ['-c', script, hostname, port, pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('playing') && resolve());
    child.on('close', (code) => reject(new Error(`the stalled client ended (${code})`)));
  });
  ready.catch(() => undefined);
  return { ready, stop: () => child.kill('SIGKILL') };
}

test('a client that connects and never reads slows no one, and what waits for it stays bounded', async () => {
  const stalled = stalledClient(shared.urls.rtsp!);
  try {
    await stalled.ready;
    const droppedBefore = await boardDropped();
    const other = await ffmpegDecodes(shared.urls.rtsp!, 150);
    assert.deepEqual(other, { frames: 150, errors: '', size: '640x360' });
    // What it has not read waits in the kernel first (up to tcp_wmem's 4 MiB here), then in our queue,
    // which drops to the next IDR past its bound (test/unit/client-feed.test.ts holds that rule).
    const unread = Math.max(...shared.unread());
    assert.ok(unread <= CLIENT_QUEUE_BYTES + (256 << 10), `what waits for it here stays bounded (${unread} bytes)`);
    assert.equal(await boardDropped(), droppedBefore, 'the board dropped nothing for it');
  } finally {
    stalled.stop();
  }
  await waitFor(() => shared.clientCount() === 0, 'the stalled client is gone once it closes');
});

async function boardDropped(): Promise<number> {
  return new Promise((resolve) => session.once('fragment', (f) => resolve(f.dropped)));
}

test('a server started beside a stream already running serves it at once', async () => {
  await new Promise<InitSegment>((resolve) => {
    session.once('init', resolve);
    void session.startStream(SETTINGS);
  });
  const late = await shareStream(session, { rtspPort: 0, listen: '127.0.0.1' });
  try {
    assert.deepEqual(await ffmpegDecodes(late.urls.rtsp!, 30), { frames: 30, errors: '', size: '640x360' });
  } finally {
    await late.close();
  }
});

test('a client that leaves mid-stream frees everything it held', async () => {
  const child = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', shared.urls.rtsp!, '-f', 'null', '-'], { stdio: 'ignore' });
  try {
    await waitFor(() => shared.clientCount() === 1, 'the client plays', 10_000);
    await sleep(1000);
  } finally {
    child.kill('SIGKILL');
  }
  await waitFor(() => shared.clientCount() === 0, 'nothing is kept for it');
  assert.deepEqual(shared.unread(), []);
});

/** One request on a fresh connection: what came back before the server closed it. */
async function exchange(port: number, request: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let got = '';
  socket.on('data', (d) => (got += d.toString('latin1')));
  socket.write(request);
  await new Promise((r) => socket.on('close', r));
  return got;
}

test('malformed and unwanted requests: 400 and a closed connection, 461 for UDP, 404 and 405; the server goes on', async () => {
  const rtspPort = Number(new URL(shared.urls.rtsp!).port);
  const httpPort = Number(new URL(shared.urls.http!).port);
  assert.match(await exchange(rtspPort, 'GARBAGE\r\n\r\n'), /^RTSP\/1\.0 400 Bad Request\r\n/);
  assert.match(await exchange(rtspPort, `OPTIONS ${shared.urls.rtsp} RTSP/1.0\r\n\r\n`), /^RTSP\/1\.0 400/, 'no CSeq');
  assert.match(await exchange(rtspPort, `DESCRIBE ${shared.urls.rtsp} RTSP/1.0\r\nCSeq: 1\r\nX: ${'a'.repeat(10_000)}\r\n\r\n`), /^RTSP\/1\.0 400/, 'headers too long');
  assert.match(await exchange(httpPort, 'GET /k230.mp4 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await exchange(httpPort, 'GET /etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404/);
  assert.match(await exchange(httpPort, 'POST /k230.mp4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), /^HTTP\/1\.1 405/);
  const udp = net.connect(rtspPort, '127.0.0.1');
  let got = '';
  udp.on('data', (d) => (got += d.toString('latin1')));
  udp.write(`DESCRIBE ${shared.urls.rtsp} RTSP/1.0\r\nCSeq: 1\r\n\r\nSETUP ${shared.urls.rtsp}/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n`);
  await waitFor(() => /CSeq: 2/.test(got), 'the SETUP answered');
  udp.destroy();
  assert.match(got.slice(got.lastIndexOf('RTSP/1.0')), /^RTSP\/1\.0 461 Unsupported Transport/);
  assert.equal((await ffmpegDecodes(shared.urls.rtsp!, 30)).frames, 30, 'the server goes on');
});

test('k230live serve prints the URLs on loopback, each with what it carries, and a warning line when told to listen wider', async () => {
  for (const listen of [undefined, '0.0.0.0']) {
    const other = await startSimulatedBoard();
    const args = ['serve', '--port', other.portPath, '--rtsp', '0', '--http', '0', ...(listen ? ['--listen', listen] : [])];
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await waitFor(() => stdout.split('\n').length >= 5, 'the URLs', 15_000);
      // One URL a line, then what it carries.
      const [[rtsp, rtspNote], [rtspVideo, rtspVideoNote], [http, httpNote], [httpVideo, httpVideoNote]] = stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
      assert.match(rtsp, /^rtsp:\/\/127\.0\.0\.1:\d+\/k230$/);
      assert.equal(rtspVideo, `${rtsp}-video`);
      assert.match(http, /^http:\/\/127\.0\.0\.1:\d+\/k230\.mp4$/);
      assert.equal(httpVideo, http.replace('k230.mp4', 'k230-video.mp4'));
      assert.deepEqual([rtspNote, rtspVideoNote, httpNote, httpVideoNote], ['pictures and sound', 'pictures only', 'pictures and sound', 'pictures only']);
      if (listen) assert.match(stderr, /^k230live: warning: the stream is open to every machine that reaches 0\.0\.0\.0: anyone there can watch the camera$/m);
      else assert.doesNotMatch(stderr, /warning/);
      assert.equal((await ffmpegDecodes(rtsp, 10)).frames, 10);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('close', r));
      await other.stop();
    }
  }
  const bad = await runCli(['serve', '--port', board.portPath, '--rtsp', '99999']);
  assert.match(bad.stderr, /^k230live: --rtsp must be a TCP port, 0 to 65535 \(got "99999"\)\n$/);
});
