// A stock CanMV board end to end: the simulated board runs the real MicroPython VM behind a PTY with
// the firmware's REPL; the host finds the REPL, uploads the MicroPython agent through raw-paste
// mode and records (pictures and sound), pulls and deletes through it, all with the built CLI as a
// user runs it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openPort } from '../../src/host/link/serial-port';
import { connectBoard } from '../../src/host/board/connect';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { assertOneLineError, runCli } from '../support/cli';
import { decodeErrors, probeSound, probeVideo } from '../support/media';
import { assertInSync } from '../support/sync';
import { holdsWithin, sleep } from '../support/poll';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-stock-'));
const sdcard = path.join(base, 'sdcard');
let board: SimulatedBoard;
let stderr = '';
const cli = (...args: string[]) => runCli([args[0], '--port', board.portPath, ...args.slice(1)]);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

before(async () => {
  fs.mkdirSync(sdcard);
  // a user's main.py, printing in a loop: the host must interrupt it
  fs.writeFileSync(path.join(sdcard, 'main.py'), 'import time\nwhile True:\n    print("tick")\n    time.sleep_ms(200)\n');
  board = await startSimulatedBoard({ stock: true, sdcard });
  board.process.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
});

after(async () => {
  await board.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

for (const codec of ['h264', 'h265']) {
  test(`record --frames 200 (${codec}) through the uploaded MicroPython agent: ffprobe counts 200, ffmpeg decodes cleanly`, async () => {
    const out = path.join(base, `stock-${codec}.mp4`);
    const r = await cli('record', '--frames', '200', '--codec', codec, '--width', '640', '--height', '480', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const v = probeVideo(out);
    assert.equal(v.frames, 200);
    assert.equal(v.codec, codec === 'h264' ? 'h264' : 'hevc');
    assert.equal(decodeErrors(out), '');
  });
}

test('record --seconds 6 with sound (µ-law 8000 Hz, the default): h264 and pcm_mulaw 8000 Hz mono, both decoded cleanly, each tone within 5 ms of its white frame', async () => {
  const out = path.join(base, 'stock-sound.mp4');
  const r = await cli('record', '--seconds', '6', '--width', '640', '--height', '480', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /sound: G\.711 µ-law, 8000 Hz, [56]\.\d\d s/);
  assert.equal(probeVideo(out).codec, 'h264');
  assert.deepEqual(probeSound(out), { codec: 'pcm_mulaw', rate: 8000, channels: 1 });
  assert.equal(decodeErrors(out), '');
  assertInSync(out, 6);
});

test('a board recording at A-law 16000 Hz has the microphone, in sync; a live recording at µ-law meanwhile goes on video only, saying so in one line', async () => {
  const start = await cli('board-record', 'start', '--out', '/sdcard/sound.mp4', '--audio', 'g711a', '--audio-rate', '16000', '--width', '640', '--height', '480');
  assert.equal(start.code, 0, start.stderr);
  // The firmware has one microphone and one G.711 encoder for scripts (docs/stock-firmware.md).
  const live = path.join(base, 'beside.mp4');
  const r = await cli('record', '--frames', '30', '--audio', 'g711u', '--width', '640', '--height', '480', '--out', live);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^k230live: no sound from \S+: its microphone did not start.*; the video goes on\n$/);
  assert.equal(probeVideo(live).frames, 30);
  assert.equal(probeSound(live).codec, undefined);
  await sleep(3000);
  const stop = await cli('board-record', 'stop');
  assert.equal(stop.code, 0, stop.stderr);
  const file = path.join(sdcard, 'sound.mp4');
  assert.deepEqual(probeSound(file), { codec: 'pcm_alaw', rate: 16000, channels: 1 });
  assert.equal(decodeErrors(file), '');
  assertInSync(file, 4);
  fs.rmSync(file);
});

test('board recording, ls, pull (SHA-256 equal), rm; a path outside /sdcard is refused', async () => {
  assert.equal((await cli('board-record', 'start', '--out', '/sdcard/board.mp4', '--width', '640', '--height', '480')).code, 0);
  await sleep(3000);
  const stop = await cli('board-record', 'stop');
  assert.equal(stop.code, 0, stop.stderr);
  const ls = await cli('ls');
  assert.match(ls.stdout, /board\.mp4/);
  const local = path.join(base, 'pulled.mp4');
  const pull = await cli('pull', '/sdcard/board.mp4', local);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(sha256(local), sha256(path.join(sdcard, 'board.mp4')));
  assert.ok((probeVideo(local)).frames >= 60);
  assert.equal(decodeErrors(local), '');
  assert.equal((await cli('rm', '/sdcard/board.mp4')).code, 0);
  assert.ok(!fs.existsSync(path.join(sdcard, 'board.mp4')));
  assertOneLineError(await cli('pull', '/sdcard/../etc/passwd', path.join(base, 'x')), /outside \/sdcard/);
});

test('Disconnect ends the agent and gives the board back: its REPL runs code, and Ctrl-C stops a script again', async () => {
  const s = await connectBoard(board.portPath);
  assert.match(s.info!.agentVersion, /^micropython .*CanMV v1\.7/);
  await s.release();
  const port = await openPort(board.portPath);
  try {
    let seen = '';
    port.on('data', (d: Buffer) => (seen += d.toString('latin1')));
    const until = async (text: string) =>
      assert.ok(await holdsWithin(() => seen.includes(text), 5000), `"${text}" in ${JSON.stringify(seen.slice(-300))}`);
    port.write('print(6 * 7)\r');
    await until('42');
    // (a loop that prints: the simulated board hears Ctrl-C when a script does I/O, docs/stock-firmware.md)
    port.write('while True: print(1)\r\r');
    await until('1\n1\n1\n'); // the loop runs (v1.7's stdout is binary-clean: no CR): Ctrl-C now reaches a script, not the prompt's input
    port.write('\x03');
    await until('KeyboardInterrupt');
  } finally {
    await new Promise((r) => port.close(() => r(undefined)));
  }
});

test('nothing the host sent held an IDE-mode sequence (the board reports any it sees)', () => {
  assert.doesNotMatch(stderr, /IDE-mode header/);
});

test('an IDE-mode header does reset the running script (the trap the host keeps clear of)', async () => {
  const port = await openPort(board.portPath);
  try {
    let seen = '';
    port.on('data', (d: Buffer) => (seen += d.toString('latin1')));
    port.write(Buffer.from([0x30, 0x80, 0x0c, 0, 0, 0])); // FW_VERSION, as the IDE asks it
    await holdsWithin(() => seen.includes('MPY: soft reboot'), 5000, 100);
    assert.match(seen, /MPY: soft reboot/);
    assert.match(stderr, /IDE-mode header/);
  } finally {
    await new Promise((r) => port.close(() => r(undefined)));
  }
});

test('firmware 1.6 is refused in one line that names the version and k230-flash', async () => {
  const old = await startSimulatedBoard({ stock: true, firmware: '1.6', sdcard });
  try {
    const r = await runCli(['ls', '--port', old.portPath]);
    assertOneLineError(r, /CanMV firmware v1\.6 is too old.*k230-flash/);
  } finally {
    await old.stop();
  }
});
