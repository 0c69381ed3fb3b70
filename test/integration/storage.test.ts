// Board storage end to end: the agent on a PTY serving a folder as /sdcard, the host over serialport.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { partialPaths } from '../../src/host/files/pull-file';
import { BoardError, BoardRecordingState } from '../../src/host/session/board-session';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { Codec, ErrorCode } from '../../src/protocol/messages';
import { runCli } from '../support/cli';
import { decodeErrors, probeVideo } from '../support/media';
import { sleep } from '../support/poll';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-storage-'));
const sdcard = path.join(base, 'sdcard');
const secret = path.join(base, 'secret.txt');
const portLink = path.join(base, 'port');
const local = path.join(base, 'local');
let board: SimulatedBoard;

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const cli = (...args: string[]) => runCli([args[0], '--port', portLink, ...args.slice(1)]);

before(async () => {
  fs.mkdirSync(path.join(sdcard, 'examples'), { recursive: true });
  fs.mkdirSync(local);
  fs.writeFileSync(secret, 'outside the root');
  fs.symlinkSync(secret, path.join(sdcard, 'escape'));
  fs.symlinkSync(base, path.join(sdcard, 'up'));
  board = await startSimulatedBoard({ sdcard, ptyLink: portLink });
});

after(async () => {
  await board.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

test('board-record for 10 s, ls lists it, pull brings a file whose SHA-256 is the agent\'s and which decodes', async () => {
  const start = await cli('board-record', 'start', '--out', '/sdcard/ten.mp4', '--json');
  assert.equal(start.code, 0, start.stderr);
  await sleep(10_000);
  const stop = await cli('board-record', 'stop', '--json');
  assert.equal(stop.code, 0, stop.stderr);
  const state = JSON.parse(stop.stdout) as BoardRecordingState;
  assert.equal(state.active, false);
  assert.ok(state.frames >= 290, `about 300 frames recorded (got ${state.frames})`);

  const ls = await cli('ls', '/sdcard', '--json');
  const listed = JSON.parse(ls.stdout).entries.find((e: { name: string }) => e.name === 'ten.mp4');
  assert.ok(listed, 'ls lists the recording');
  assert.equal(listed.size, fs.statSync(path.join(sdcard, 'ten.mp4')).size);

  const pull = await cli('pull', '/sdcard/ten.mp4', local, '--json');
  assert.equal(pull.code, 0, pull.stderr);
  const pulled = path.join(local, 'ten.mp4');
  assert.equal(JSON.parse(pull.stdout).sha256, sha256(path.join(sdcard, 'ten.mp4')));
  assert.equal(sha256(pulled), sha256(path.join(sdcard, 'ten.mp4')));
  const v = probeVideo(pulled);
  assert.equal(v.frames, state.frames);
  assert.equal(decodeErrors(pulled), '');
});

test('an H.265 board recording runs beside the H.264 live stream', async () => {
  const s = await connectBoard(portLink);
  try {
    let live = 0;
    s.on('fragment', () => live++);
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    // 640x360: two software encoders share this machine's 2 cores with the test; the board has hardware for it.
    const started = await s.startBoardRecording('/sdcard/hevc.mp4', { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360, codec: Codec.H265, profile: 1 });
    assert.equal(started.active, true);
    await sleep(3000);
    const stopped = await s.stopBoardRecording();
    assert.ok(live >= 60, `the live stream kept going (${live} fragments in 3 s)`);
    assert.ok(stopped.frames >= 60, `the board recorded (${stopped.frames} frames in 3 s)`);
  } finally {
    await s.disconnect();
  }
  const v = probeVideo(path.join(sdcard, 'hevc.mp4'));
  assert.equal(v.codec, 'hevc');
  assert.equal(v.width, 640);
  assert.equal(decodeErrors(path.join(sdcard, 'hevc.mp4')), '');
});

test('a pull broken by killing the link midway resumes on the next run and verifies', async () => {
  const big = path.join(sdcard, 'big.bin');
  fs.writeFileSync(big, Buffer.alloc(48 << 20, 0).map((_, i) => (i * 2654435761) >>> 24));
  const target = path.join(local, 'big.bin');
  const { data } = partialPaths(target);
  const running = cli('pull', '/sdcard/big.bin', target);
  while (!fs.existsSync(data) || fs.statSync(data).size < 8 << 20) await sleep(20);
  board.process.kill('SIGKILL');
  const broken = await running;
  assert.notEqual(broken.code, 0);
  assert.equal(broken.stderr.trim().split('\n').length, 1, broken.stderr);
  assert.ok(!fs.existsSync(target), 'no file that looks complete');
  const kept = fs.statSync(data).size;
  assert.ok(kept >= 8 << 20 && kept < 48 << 20, `a partial file is kept (${kept} bytes)`);

  board = await startSimulatedBoard({ sdcard, ptyLink: portLink, build: false });
  const resumed = await cli('pull', '/sdcard/big.bin', target, '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = JSON.parse(resumed.stdout);
  assert.ok(r.resumedFrom >= 8 << 20, `went on from where it stopped (${r.resumedFrom})`);
  assert.equal(sha256(target), sha256(big));
  assert.ok(!fs.existsSync(data));
});

test('every way out of /sdcard is refused, and nothing outside is read, written or deleted', async () => {
  const before = { secret: fs.readFileSync(secret, 'utf8'), mtime: fs.statSync(secret).mtimeMs, names: fs.readdirSync(base).sort() };
  const s = await connectBoard(portLink);
  const refused = async (what: string, run: () => Promise<unknown>) =>
    assert.rejects(run, (e: BoardError) => {
      assert.equal(e.code, ErrorCode.OutsideRoot, `${what}: ${e.message}`);
      assert.match(e.message, /outside \/sdcard/);
      return true;
    });
  try {
    await refused('.. in a listing', () => s.list('/sdcard/..'));
    await refused('relative ..', () => s.stat('../secret.txt'));
    await refused('.. deeper', () => s.read('/sdcard/examples/../../secret.txt', 0, 100));
    await refused('an absolute path elsewhere', () => s.read('/etc/passwd', 0, 100));
    await refused('a look-alike root', () => s.list('/sdcard2'));
    await refused('a symlink to a file outside', () => s.checksum('/sdcard/escape', 5000));
    await refused('a symlink to a folder outside', () => s.read('/sdcard/up/secret.txt', 0, 100));
    await refused('deleting through a symlinked folder', () => s.deleteFile('/sdcard/up/secret.txt'));
    await refused('recording through a symlinked folder', () => s.startBoardRecording('/sdcard/up/out.mp4', DEFAULT_STREAM_SETTINGS));
    await refused('recording to ..', () => s.startBoardRecording('/sdcard/../out.mp4', DEFAULT_STREAM_SETTINGS));
    await refused('recording elsewhere', () => s.startBoardRecording('/tmp/out.mp4', DEFAULT_STREAM_SETTINGS));
  } finally {
    await s.disconnect();
  }
  assert.equal(fs.readFileSync(secret, 'utf8'), before.secret);
  assert.equal(fs.statSync(secret).mtimeMs, before.mtime);
  assert.deepEqual(fs.readdirSync(base).sort(), before.names);
});

test('names from the board never become paths outside the chosen folder', async () => {
  fs.writeFileSync(path.join(sdcard, 'x:y?*.mp4'), 'abc');
  fs.writeFileSync(path.join(sdcard, '..hidden'), 'abc');
  const folder = path.join(local, 'names');
  fs.mkdirSync(folder);
  assert.equal((await cli('pull', '/sdcard/x:y?*.mp4', folder)).code, 0);
  assert.equal((await cli('pull', '/sdcard/..hidden', folder)).code, 0);
  assert.deepEqual(fs.readdirSync(folder).sort(), ['hidden', 'x_y__.mp4']);
});

test('rm deletes on the board; df reports the space; a missing file is a clear error', async () => {
  fs.writeFileSync(path.join(sdcard, 'gone.txt'), 'bye');
  assert.equal((await cli('rm', '/sdcard/gone.txt')).code, 0);
  assert.ok(!fs.existsSync(path.join(sdcard, 'gone.txt')));
  const missing = await cli('rm', '/sdcard/gone.txt');
  assert.match(missing.stderr, /^k230live: board refused FILE_DELETE: no such file or folder: \/sdcard\/gone.txt\n$/);
  const df = JSON.parse((await cli('df', '--json')).stdout);
  assert.ok(df.total > 0 && df.available > 0 && df.available <= df.total);
});

test('a full card stops the board recording cleanly with a typed error, and the file plays', async () => {
  const small = path.join(base, 'small-card');
  fs.mkdirSync(small);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', small]);
  const own = await startSimulatedBoard({ sdcard: small, build: false });
  try {
    const s = await connectBoard(own.portPath);
    const stopped = new Promise<BoardRecordingState>((resolve) => s.on('boardRecording', (st) => !st.active && resolve(st)));
    await s.startBoardRecording('/sdcard/full.mp4', { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 8000 });
    const st = await stopped;
    await s.disconnect();
    assert.match(st.error ?? '', /card is full/);
    const file = path.join(small, 'full.mp4');
    assert.equal(fs.statSync(file).size, st.bytes, 'the file ends at the last whole fragment');
    const v = probeVideo(file);
    assert.ok(v.frames > 10 && v.frames === st.frames, `frames kept: ${v.frames} (board says ${st.frames})`);
    assert.equal(decodeErrors(file), '');
  } finally {
    await own.stop();
    execFileSync('umount', [small]);
  }
});

test('a board without storage says so', async () => {
  const bare = await startSimulatedBoard({ build: false });
  try {
    const r = await runCli(['ls', '--port', bare.portPath]);
    assert.equal(r.stderr, 'k230live: board refused FILE_LIST: this board has no storage\n');
  } finally {
    await bare.stop();
  }
});
