// Sound beside the picture, end to end: the simulated board's microphone and camera mark each whole
// second of the board clock, and the recorded files are measured with ffmpeg alone (test/support/sync.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { recordStream } from '../../src/host/recording/record-stream';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { runCli } from '../support/cli';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { decodeErrors, probeSound, probeVideo } from '../support/media';
import { assertInSync, assertSurvivorsInSync, decodeSound, streamDurations } from '../support/sync';
import { sleep } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-sound-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the C agent with its simulated microphone', () => {
  const sdcard = path.join(dir, 'sdcard');
  let board: SimulatedBoard;
  before(async () => {
    fs.mkdirSync(sdcard);
    board = await startSimulatedBoard({ sdcard });
  });
  after(() => board.stop());

  test('record --audio g711u --seconds 60: h264 and pcm_mulaw 8000 Hz mono, decoded cleanly, in sync every second, no drift', async () => {
    const out = path.join(dir, 'sixty.mp4');
    const r = await runCli(['record', '--port', board.portPath, '--audio', 'g711u', '--seconds', '60', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    // Chunks of 20 ms over the pictures' span: 60 s of pictures' pts, plus the last picture's own
    // duration, and the first picture is taken at once, off the camera's grid, so the span reaches
    // up to a frame past 60 s (3001 chunks were seen). A loaded machine may cost the board's queue a
    // few (each a gap, never a shift).
    const sound = /sound: G\.711 µ-law, 8000 Hz, (\d+\.\d\d) s in (\d+) chunks/.exec(r.stdout);
    assert.ok(sound, r.stdout);
    assert.equal(Number(sound[1]), Number(sound[2]) * 0.02);
    const pictureSpan = streamDurations(out).video;
    assert.ok(Number(sound[2]) >= 2990 && Number(sound[2]) <= Math.ceil(pictureSpan / 0.02), `${sound[2]} chunks over ${pictureSpan.toFixed(3)} s of pictures`);
    assert.equal(probeVideo(out).codec, 'h264');
    assert.deepEqual(probeSound(out), { codec: 'pcm_mulaw', rate: 8000, channels: 1 });
    assert.equal(decodeErrors(out), '');
    assertInSync(out, 60);
    const d = streamDurations(out);
    console.log(`${out}: over 60 s, video ${d.video.toFixed(4)} s, sound ${d.audio.toFixed(4)} s: they differ by ${((d.audio - d.video) * 1000).toFixed(1)} ms`);
    assert.ok(Math.abs(d.video - d.audio) <= 0.05, `over 60 s the durations differ by at most 50 ms (video ${d.video.toFixed(3)} s, audio ${d.audio.toFixed(3)} s)`);
  });

  test('--audio g711a --audio-rate 16000: pcm_alaw at 16000 Hz, in sync', async () => {
    const out = path.join(dir, 'alaw.mp4');
    const r = await runCli(['record', '--port', board.portPath, '--audio', 'g711a', '--audio-rate', '16000', '--codec', 'h265', '--seconds', '4', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(probeSound(out), { codec: 'pcm_alaw', rate: 16000, channels: 1 });
    assert.equal(decodeErrors(out), '');
    assertInSync(out, 4);
  });

  test('--audio off records the picture alone', async () => {
    const out = path.join(dir, 'silent.mp4');
    const r = await runCli(['record', '--port', board.portPath, '--audio', 'off', '--frames', '30', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(probeSound(out).codec, undefined);
    assert.equal(probeVideo(out).frames, 30);
    assert.doesNotMatch(r.stdout, /sound:/);
  });

  test('a board recording has the sound too, in sync', async () => {
    const start = await runCli(['board-record', '--port', board.portPath, 'start', '--out', '/sdcard/with-sound.mp4', '--audio', 'g711u']);
    assert.equal(start.code, 0, start.stderr);
    await sleep(10_500);
    const stop = await runCli(['board-record', '--port', board.portPath, 'stop']);
    assert.equal(stop.code, 0, stop.stderr);
    const file = path.join(sdcard, 'with-sound.mp4');
    assert.deepEqual(probeSound(file), { codec: 'pcm_mulaw', rate: 8000, channels: 1 });
    assert.equal(decodeErrors(file), '');
    assertInSync(file, 10);
  });

  test('bad sound options get one line each', async () => {
    const codec = await runCli(['record', '--port', board.portPath, '--audio', 'opus', '--frames', '1']);
    assert.match(codec.stderr, /^k230live: --audio must be g711u, g711a or off \(got "opus"\)\n$/);
    const rate = await runCli(['record', '--port', board.portPath, '--audio-rate', '44100', '--frames', '1']);
    assert.match(rate.stderr, /^k230live: --audio-rate must be 8000 or 16000 \(got "44100"\)\n$/);
  });
});

test('a board without a microphone says so in one line, and the video goes on', async () => {
  const board = await startSimulatedBoard({ noMicrophone: true });
  try {
    const out = path.join(dir, 'no-mic.mp4');
    const r = await runCli(['record', '--port', board.portPath, '--audio', 'g711u', '--frames', '60', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'k230live: no sound from Simulated K230: it has no microphone; the video goes on\n');
    assert.equal(probeVideo(out).frames, 60);
    assert.equal(probeSound(out).codec, undefined);
  } finally {
    await board.stop();
  }
});

test('a stock board whose microphone will not start says so in one line, and the video goes on', async () => {
  const board = await startSimulatedBoard({ stock: true, noMicrophone: true });
  try {
    const out = path.join(dir, 'stock-no-mic.mp4');
    const r = await runCli(['record', '--port', board.portPath, '--frames', '30', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^k230live: no sound from .*: its microphone did not start; the video goes on\n$/);
    assert.equal(probeVideo(out).frames, 30);
    assert.equal(probeSound(out).codec, undefined);
  } finally {
    await board.stop();
  }
});

test('a chunk of sound lost on the link leaves a gap, never a shift', async () => {
  const proxy: FaultProxy = await startFaultProxy(path.join(dir, 'port'));
  const board = await startSimulatedBoard({ device: proxy.agentPath });
  const out = path.join(dir, 'through-drops.mp4');
  try {
    const s = await connectBoard(proxy.hostPath);
    let audioLosses = 0;
    s.on('audioLoss', (n) => (audioLosses += n));
    try {
      const recording = recordStream(s, { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 }, out, { seconds: 8 });
      await sleep(1000);
      for (let i = 0; i < 20; i++) {
        await proxy.inject({ kind: 'drop', n: 40 });
        await sleep(250);
      }
      const r = await recording;
      assert.equal(r.interruption, undefined);
    } finally {
      await s.disconnect();
    }
    assert.ok(audioLosses > 0, 'some of the drops landed on chunks of sound');
    assert.equal(decodeErrors(out), '');
    const sound = decodeSound(out);
    const pts = sound.frames.map((f) => f.pts);
    const gaps = pts.slice(1).filter((t, i) => t - pts[i] > 0.021).length;
    assert.ok(gaps > 0, 'the lost chunks are gaps in the sound track');
    // Every chunk keeps its place on the board's 20 ms grid: nothing after a gap moved.
    const phase = (t: number) => ((t - pts[0]) * 1000 + 1e-6) % 20;
    const off = pts.filter((t) => Math.min(phase(t), 20 - phase(t)) > 0.13);
    assert.deepEqual(off, [], 'every chunk on the grid of the first');
    // A drop can take a white frame (the picture waits for the next IDR) or its tone's first chunk:
    // what is left must still pair up, at most 5 ms apart.
    assertSurvivorsInSync(out, 2);
  } finally {
    await board.stop();
    proxy.stop();
  }
});
