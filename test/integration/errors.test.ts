// Every wrong input ends in one clear line on stderr and a non-zero exit; nothing recorded is lost.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { openSession } from '../../src/host/board/connect';
import { openPort } from '../../src/host/link/serial-port';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { assertOneLineError, runCli } from '../support/cli';
import { decodeErrors, probeVideo } from '../support/media';
import { startForeignPort } from '../support/foreign-port';
import { sleep } from '../support/poll';

let board: SimulatedBoard;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-errors-'));

before(async () => {
  board = await startSimulatedBoard();
});
after(async () => {
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});


const record = (port: string, ...extra: string[]) =>
  runCli(['record', '--port', port, '--frames', '30', '--out', path.join(dir, 'x.mp4'), ...extra]);

test('a port that does not exist is named in the error', async () => {
  assertOneLineError(await record('/dev/does-not-exist'), /no serial port at \/dev\/does-not-exist/);
});

test('a port another program holds is reported busy', async () => {
  const holder = await openPort(board.portPath);
  try {
    assertOneLineError(await record(board.portPath), /busy/);
  } finally {
    await new Promise((r) => holder.close(r));
  }
});

// What a user waits for is the probe (src/host/board/canmv-board.ts probePort): its own waits add up to
// 1.9 s for a port that answers but not as a CanMV REPL (300 ms for a frame, 100 ms after Ctrl-C,
// 1.5 s for a banner), 0.6 s for one that says nothing. It is timed in-process, so that node's
// start-up on a loaded machine is not counted against it; the CLI shows the one line.
async function probeFails(port: string, pattern: RegExp): Promise<number> {
  const started = performance.now();
  await assert.rejects(openSession(port), (e: Error) => (assert.match(e.message, pattern), true));
  return performance.now() - started;
}

for (const [name, behaviour, pattern] of [
  ['a port with something else behind it', 'prompt', /no K230 Live agent answered .*not the K230 Live protocol/],
  ['a port that says nothing', 'silent', /no K230 Live agent answered .*, and no CanMV REPL: it sent nothing$/],
] as const) {
  test(`${name} fails clearly within 3 seconds`, async () => {
    const port = await startForeignPort(behaviour);
    try {
      assertOneLineError(await record(port.path), pattern);
      const ms = await probeFails(port.path, pattern);
      assert.ok(ms < 3000, `took ${Math.round(ms)} ms`);
    } finally {
      port.stop();
    }
  });
}

test('a setting the board cannot do is refused by the board', async () => {
  assertOneLineError(await record(board.portPath, '--width', '2560'), /board refused STREAM_START: resolution 2560x720/);
});

test('a setting that is not a number is refused before connecting', async () => {
  assertOneLineError(await record(board.portPath, '--fps', 'fast'), /--fps must be an integer/);
});

test('an unknown codec is refused', async () => {
  assertOneLineError(await record(board.portPath, '--codec', 'vp9'), /--codec must be h264 or h265/);
});

test('an output in a folder that does not exist is refused', async () => {
  const r = await runCli(['record', '--port', board.portPath, '--frames', '5', '--out', path.join(dir, 'no', 'such', 'x.mp4')]);
  assertOneLineError(r, /cannot write .*folder does not exist/);
});

test('a simulated board given a storage folder that does not exist says so in one line, and serves nothing', async () => {
  const missing = path.join(os.tmpdir(), `k230-no-such-sdcard-${process.pid}`);
  await assert.rejects(startSimulatedBoard({ sdcard: missing, build: false }), (e: Error) => {
    assert.equal(e.message, `the agent exited (1) before serving: agent: storage root ${missing} does not exist`);
    return true;
  });
});

test('killing the agent mid-recording leaves a playable file and says what happened', async () => {
  const own = await startSimulatedBoard({ build: false });
  const out = path.join(dir, 'interrupted.mp4');
  const running = runCli(['record', '--port', own.portPath, '--seconds', '30', '--out', out]);
  await sleep(2500);
  own.process.kill('SIGKILL');
  const r = await running;
  assertOneLineError(r, /recording stopped early: .*the file holds \d+ frames and plays/);
  const v = probeVideo(out);
  assert.ok(v.frames >= 30, `frames before the kill are kept (got ${v.frames})`);
  assert.equal(decodeErrors(out), '');
});
