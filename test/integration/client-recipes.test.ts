// The README's "Watching and recording the shared stream": every recipe there that can run on this
// machine runs here, as the README writes it (read from the README itself, only the ports changed to
// this test's), against the simulated board served by `k230live serve` with sound on; and each
// result is checked as its user would: ffprobe counts the file's pictures and finds its sound, and
// ffmpeg decodes it without a word; OpenCV's frames have the stream's size; VLC shows pictures.
//
// Not run here: OBS Studio. Debian packages it (obs-studio), but it is a desktop program that needs
// a display and OpenGL, and this machine has neither; the README gives its settings untested.
// A recipe whose tool is missing is skipped with the reason printed, never passed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CLI } from '../support/cli';
import { decodeErrors, probeStreams, probeVideo } from '../support/media';
import { waitFor } from '../support/poll';

const root = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-recipes-'));
const SIZE = { width: 640, height: 360 };
/** The ports the README's URLs name, replaced by the ones `serve` picked here. */
const README_RTSP = '127.0.0.1:8554';
const README_HTTP = '127.0.0.1:8080';

// ---- the recipes, as the README has them

const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = /^### Watching and recording the shared stream\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
/** Each `<!-- recipe: NAME -->` and the sh block under it. */
const recipes = new Map([...section.matchAll(/<!-- recipe: ([\w-]+) -->\n```sh\n([\s\S]*?)\n```/g)].map((m) => [m[1], m[2]]));

/** The README's command for `name`, on this test's ports. */
function recipe(name: string): string {
  const text = recipes.get(name);
  assert.ok(text, `the README has the recipe ${name}`);
  assert.ok(text.includes(README_RTSP) || text.includes(README_HTTP), `${name} uses a default URL`);
  return text.replaceAll(README_RTSP, `127.0.0.1:${ports.rtsp}`).replaceAll(README_HTTP, `127.0.0.1:${ports.http}`);
}

test('the README has exactly the recipes this test runs (or says why it cannot)', () => {
  assert.deepEqual([...recipes.keys()].sort(), ['ffmpeg-mkv', 'ffmpeg-mp4', 'ffmpeg-mp4-aac', 'gstreamer-mp4', 'opencv', 'vlc']);
  assert.match(section, /\*\*OBS Studio\*\*: \*\*Sources → \+ → Media Source\*\*, untick \*\*Local File\*\*, and put\n`rtsp:\/\/127\.0\.0\.1:8554\/k230`/);
  assert.match(section, /not tested here/);
});

// ---- the board, shared as a user shares it

let board: SimulatedBoard;
let serve: ChildProcess | undefined;
const ports = { rtsp: 0, http: 0 };
let served: string[] = [];

before(async () => {
  board = await startSimulatedBoard();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', board.portPath, '--rtsp', '0', '--http', '0', '--width', String(SIZE.width), '--height', String(SIZE.height)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve = child;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  await waitFor(() => /serving the board's stream/.test(stderr) || child.exitCode !== null, 'k230live serve starts', 20_000);
  assert.match(stderr, /serving the board's stream/, `k230live serve: ${stderr}`);
  served = stdout.trim().split('\n');
  ports.rtsp = Number(/^rtsp:\/\/127\.0\.0\.1:(\d+)\//.exec(served[0])?.[1]);
  ports.http = Number(/^http:\/\/127\.0\.0\.1:(\d+)\//.exec(served[2] ?? '')?.[1]);
});

after(async () => {
  if (serve && serve.exitCode === null) {
    const closed = new Promise((r) => serve!.once('close', r));
    serve.kill('SIGINT');
    const timer = setTimeout(() => serve!.kill('SIGKILL'), 5000);
    await closed;
    clearTimeout(timer);
  }
  await board?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('k230live serve lists each URL with what it carries', () => {
  assert.deepEqual(
    served.map((line) => line.split(/\s{2,}/)),
    [
      [`rtsp://127.0.0.1:${ports.rtsp}/k230`, 'pictures and sound'],
      [`rtsp://127.0.0.1:${ports.rtsp}/k230-video`, 'pictures only'],
      [`http://127.0.0.1:${ports.http}/k230.mp4`, 'pictures and sound'],
      [`http://127.0.0.1:${ports.http}/k230-video.mp4`, 'pictures only'],
      [`rtsp://127.0.0.1:${ports.rtsp}/k230-display`, 'a script\'s display: pictures and sound'],
      [`rtsp://127.0.0.1:${ports.rtsp}/k230-display-video`, 'a script\'s display: pictures only'],
      [`http://127.0.0.1:${ports.http}/k230-display.mp4`, 'a script\'s display: pictures and sound'],
      [`http://127.0.0.1:${ports.http}/k230-display-video.mp4`, 'a script\'s display: pictures only'],
    ],
  );
});

// ---- running a recipe

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A command line in bash, in `cwd`, in a process group of its own: `stopAfterMs` sends that group
 * SIGINT as Ctrl-C in a terminal does; past `limitMs` the group is killed; whatever is left of it is
 * killed when this returns, however it ends.
 */
async function runShell(command: string, o: { cwd: string; limitMs: number; stopAfterMs?: number; prefix?: string[] }): Promise<Ran> {
  const [cmd, ...args] = [...(o.prefix ?? []), 'bash', '-c', command];
  const child = spawn(cmd, args, { cwd: o.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timers = [setTimeout(() => group('SIGKILL'), o.limitMs), ...(o.stopAfterMs ? [setTimeout(() => group('SIGINT'), o.stopAfterMs)] : [])];
  try {
    return await new Promise<Ran>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  } finally {
    timers.forEach(clearTimeout);
    group('SIGKILL');
  }
}

/** Whether a program answers; the reason to skip when it does not. */
function missing(cmd: string, args: string[], what: string): string | undefined {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0 ? undefined : `${what} (scripts/setup.sh installs it)`;
}

/** A client the README's recipe needs and this machine lacks fails its test: scripts/setup.sh
 * installs every one, so a skip here would only hide a recipe nobody ran. */
function skipped(t: TestContext, reason: string | undefined): boolean {
  if (reason) assert.fail(`${t.name}: ${reason}`);
  return false;
}

function workDir(name: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

const FFMPEG_MISSING = () => missing('ffmpeg', ['-version'], 'no ffmpeg: apt-get install ffmpeg');

/** A ten-second recording holds about 300 pictures at 30 fps: allow for a start mid-GOP and a slow machine. */
function assertTenSeconds(t: TestContext, frames: number, what: string): void {
  t.diagnostic(`${what}: ${frames} pictures`);
  assert.ok(frames >= 240 && frames <= 310, `${what}: about 300 pictures in ten seconds (got ${frames})`);
}

// ---- ffmpeg

test('the problem: ffmpeg -c copy to MP4 from /k230 fails while the sound is on, as the README says', { timeout: 60_000 }, async (t) => {
  if (skipped(t, FFMPEG_MISSING())) return;
  const command = recipe('ffmpeg-mp4').replace('/k230-video', '/k230');
  const r = await runShell(command, { cwd: workDir('problem'), limitMs: 30_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Could not find tag for codec pcm_mulaw in stream #1, codec not currently supported in container/);
  assert.ok(section.includes('"Could not find tag for codec pcm_mulaw in stream #1, codec not currently supported in container"'), 'the README quotes the error');
});

test('ffmpeg to MP4 from /k230-video: the pictures, no sound, decoding cleanly', { timeout: 60_000 }, async (t) => {
  if (skipped(t, FFMPEG_MISSING())) return;
  const cwd = workDir('ffmpeg-mp4');
  const r = await runShell(recipe('ffmpeg-mp4'), { cwd, limitMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(cwd, 'k230.mp4');
  assert.deepEqual(probeStreams(file), ['h264'], 'the pictures only');
  const v = probeVideo(file);
  assert.deepEqual([v.width, v.height], [SIZE.width, SIZE.height]);
  assertTenSeconds(t, v.frames, 'k230.mp4');
  assert.equal(decodeErrors(file), '');
});

test('ffmpeg to MP4 keeping the sound as AAC: both tracks, decoding cleanly', { timeout: 60_000 }, async (t) => {
  if (skipped(t, FFMPEG_MISSING())) return;
  const cwd = workDir('ffmpeg-mp4-aac');
  const r = await runShell(recipe('ffmpeg-mp4-aac'), { cwd, limitMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /Too many bits/, 'the bit rate is one AAC takes at 8000 Hz');
  const file = path.join(cwd, 'k230-sound.mp4');
  assert.deepEqual(probeStreams(file), ['h264', 'aac 8000 Hz 1 ch']);
  assertTenSeconds(t, probeVideo(file).frames, 'k230-sound.mp4');
  assert.equal(decodeErrors(file), '');
});

test('ffmpeg to Matroska with -c copy: the pictures and the G.711 untouched, decoding cleanly', { timeout: 60_000 }, async (t) => {
  if (skipped(t, FFMPEG_MISSING())) return;
  const cwd = workDir('ffmpeg-mkv');
  const r = await runShell(recipe('ffmpeg-mkv'), { cwd, limitMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(cwd, 'k230.mkv');
  assert.deepEqual(probeStreams(file), ['h264', 'pcm_mulaw 8000 Hz 1 ch']);
  assertTenSeconds(t, probeVideo(file).frames, 'k230.mkv');
  assert.equal(decodeErrors(file), '');
});

// ---- GStreamer

const GST_ELEMENTS: [string, string][] = [
  ['rtspsrc', 'gstreamer1.0-plugins-good'],
  ['rtph264depay', 'gstreamer1.0-plugins-good'],
  ['h264parse', 'gstreamer1.0-plugins-bad'],
  ['mp4mux', 'gstreamer1.0-plugins-good'],
];

function gstMissing(): string | undefined {
  const tools = missing('gst-launch-1.0', ['--version'], 'no gst-launch-1.0: apt-get install gstreamer1.0-tools');
  if (tools) return tools;
  const lacking = GST_ELEMENTS.filter(([element]) => spawnSync('gst-inspect-1.0', [element], { stdio: 'ignore', timeout: 30_000 }).status !== 0);
  if (!lacking.length) return undefined;
  return `GStreamer lacks ${lacking.map(([e, p]) => `${e} (${p})`).join(', ')} (scripts/setup.sh installs them)`;
}

test('GStreamer to MP4 until Ctrl-C: the file is finished and decodes cleanly', { timeout: 60_000 }, async (t) => {
  if (skipped(t, gstMissing())) return;
  const cwd = workDir('gstreamer');
  const r = await runShell(recipe('gstreamer-mp4'), { cwd, limitMs: 40_000, stopAfterMs: 6000 });
  assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
  assert.match(r.stdout, /EOS received/, 'Ctrl-C (-e) finished the file');
  const file = path.join(cwd, 'k230-gst.mp4');
  const v = probeVideo(file);
  assert.deepEqual([v.codec, v.width, v.height], ['h264', SIZE.width, SIZE.height]);
  t.diagnostic(`k230-gst.mp4: ${v.frames} pictures`);
  assert.ok(v.frames >= 90, `about six seconds of pictures (got ${v.frames})`);
  assert.equal(decodeErrors(file), '');
});

// ---- OpenCV

test("OpenCV under Debian's Python reads 100 frames of the stream's size", { timeout: 60_000 }, async (t) => {
  if (skipped(t, missing('/usr/bin/python3', ['-c', 'import cv2'], "no OpenCV for /usr/bin/python3: apt-get install python3-opencv"))) return;
  const r = await runShell(recipe('opencv'), { cwd: workDir('opencv'), limitMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `100 frames of (${SIZE.height}, ${SIZE.width}, 3)`);
});

// ---- VLC

/**
 * The README's `vlc URL`, as it can run here: cvlc (vlc-bin) with dummy outputs, as there is no
 * display, the stats output logging each picture shown; as `nobody` when this runs as root, as VLC
 * refuses root.
 */
function vlcHeadless(command: string): string {
  const m = /^vlc (http:\/\/\S+)$/.exec(command);
  assert.ok(m, `the VLC recipe is "vlc URL": ${command}`);
  return `cvlc -vv --vout stats --aout dummy --no-video-title-show --play-and-exit --run-time 5 ${m[1]}`;
}

function vlcMissing(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v cvlc'], { stdio: 'ignore' }).status !== 0) return 'no cvlc: apt-get install vlc-bin vlc-plugin-base';
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v runuser'], { stdio: 'ignore' }).status !== 0) return 'running as root without runuser, and VLC refuses root';
  return undefined;
}

test('VLC plays the HTTP URL: pictures of the stream size shown, and the sound decoded', { timeout: 60_000 }, async (t) => {
  if (skipped(t, vlcMissing())) return;
  const cwd = workDir('vlc');
  fs.chmodSync(cwd, 0o777); // VLC keeps its settings under HOME, here, as nobody
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--', 'env', `HOME=${cwd}`] : ['env', `HOME=${cwd}`];
  const r = await runShell(vlcHeadless(recipe('vlc')), { cwd, limitMs: 40_000, prefix: asUser });
  const log = r.stdout + r.stderr;
  assert.equal(r.code, 0, log.slice(-2000));
  const shown = log.match(/VOUT got/g)?.length ?? 0;
  t.diagnostic(`VLC showed ${shown} pictures`);
  assert.ok(shown >= 60, `VLC showed pictures (${shown} in 5 s)`);
  assert.match(log, new RegExp(`VoutDisplayEvent 'resize' ${SIZE.width}x${SIZE.height}`));
  assert.match(log, /using audio decoder module "g711"/, 'and decoded the sound');
});
