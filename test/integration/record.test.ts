// End to end: the agent on a PTY, the k230live CLI over serialport, the file checked by ffprobe/ffmpeg.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { runCli } from '../support/cli';
import { decodeErrors, probeVideo, strictlyIncreasing } from '../support/media';

let board: SimulatedBoard;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-record-'));

before(async () => {
  board = await startSimulatedBoard();
});
after(async () => {
  await board.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const codec of ['h264', 'h265'] as const) {
  test(`record --frames 200 --codec ${codec} gives exactly 200 decodable 1280x720 frames`, async () => {
    const out = path.join(dir, `200-${codec}.mp4`);
    const r = await runCli(['record', '--port', board.portPath, '--frames', '200', '--codec', codec, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: 200 frames, .* 0 dropped/);
    const v = probeVideo(out);
    assert.equal(v.codec, codec === 'h264' ? 'h264' : 'hevc');
    assert.equal(v.frames, 200);
    assert.equal(v.width, 1280);
    assert.equal(v.height, 720);
    assert.equal(v.pts[0], 0, 'the recording starts at t=0');
    assert.ok(strictlyIncreasing(v.pts), 'timestamps strictly increase');
    assert.ok(v.keyframes >= 6, `a keyframe every 30 frames (got ${v.keyframes})`);
    assert.equal(decodeErrors(out), '');
  });
}

test('record --seconds 2 at 15 fps covers two seconds of board time', async () => {
  const out = path.join(dir, 'two-seconds.mp4');
  const r = await runCli(['record', '--port', board.portPath, '--seconds', '2', '--fps', '15', '--width', '640', '--height', '360', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const v = probeVideo(out);
  assert.ok(v.frames >= 29 && v.frames <= 30, `about 30 frames (got ${v.frames})`);
  assert.equal(v.width, 640);
  assert.equal(decodeErrors(out), '');
});

test('a recording started mid-stream still begins with a keyframe at t=0', async () => {
  // Two recordings back to back on one agent: the second starts where the board's clock is far from zero.
  const first = path.join(dir, 'first.mp4');
  const second = path.join(dir, 'second.mp4');
  assert.equal((await runCli(['record', '--port', board.portPath, '--frames', '10', '--out', first])).code, 0);
  assert.equal((await runCli(['record', '--port', board.portPath, '--frames', '45', '--gop', '60', '--out', second])).code, 0);
  const v = probeVideo(second);
  assert.equal(v.frames, 45);
  assert.equal(v.pts[0], 0);
  assert.equal(v.keyframes, 1);
  assert.equal(decodeErrors(second), '');
});
