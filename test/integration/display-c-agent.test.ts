// The C agent's display source, end to end: its simulated board (the sim backend) shows its camera's
// pattern with an OSD layer over it (device-agent/backends/sim/sim_osd.h: a white 64x64 box moving
// diagonally through the middle band of the picture, and "OSD" with a frame counter), encoded by the
// same encoder into the same stream as the camera. The host records each through serialport, and
// ffprobe/ffmpeg judge the files: what tells the two apart is in the decoded pixels.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { recordStream } from '../../src/host/recording/record-stream';
import { BoardSession, InitSegment } from '../../src/host/session/board-session';
import { AudioCodec, Source, StreamSettings } from '../../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { brightBox, decodedLuma, decodeErrors, probeSound, probeVideo } from '../support/media';
import { sleep, waitFor } from '../support/poll';
import { assertInSync } from '../support/sync';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-display-c-'));
const sdcard = path.join(base, 'sdcard');
let board: SimulatedBoard;

before(async () => {
  fs.mkdirSync(sdcard);
  board = await startSimulatedBoard({ sdcard });
});
after(async () => {
  await board.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

// The defaults a user gets (1280x720 at 30 fps, H.264, G.711 mu-law sound), with the source named.
const DISPLAY: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, source: Source.Display };
const CAMERA: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, source: Source.Camera };
const W = 1280, H = 720;
// The rows the OSD box moves in (sim_osd.h's band: 25% to 70% of the height): the camera's pattern
// has nothing there brighter than its grey bands (at most Y 188, 200 once decoded to full range),
// the box is video-range white (235: 255 decoded).
const BAND_TOP = Math.floor((H * 25) / 100), BAND_BOTTOM = Math.floor((H * 70) / 100);
const BRIGHT = 230;

/** The bright box in a decoded picture's band, in picture coordinates; undefined when there is none. */
function osdBox(luma: Uint8Array): { x: number; y: number; w: number; h: number } | undefined {
  const box = brightBox(luma.subarray(BAND_TOP * W, BAND_BOTTOM * W), W, BRIGHT);
  return box && { ...box, y: box.y + BAND_TOP };
}

async function withSession(run: (s: BoardSession) => Promise<void>): Promise<void> {
  const s = await connectBoard(board.portPath);
  try {
    await run(s);
  } finally {
    await s.disconnect();
  }
}

/** Records 2 s of the settings' source; the INIT_SEGMENTs' sources that came meanwhile. */
async function record(s: BoardSession, settings: StreamSettings, out: string): Promise<InitSegment['source'][]> {
  const sources: InitSegment['source'][] = [];
  const onInit = (init: InitSegment) => sources.push(init.source);
  s.on('init', onInit);
  try {
    const r = await recordStream(s, settings, out, { seconds: 2 });
    assert.equal(r.interruption, undefined);
    assert.equal(r.soundNotice, undefined, 'the microphone is there for either source');
  } finally {
    s.off('init', onInit);
  }
  return sources;
}

test('the C agent says it has a camera and a display, both there, and which one streams', async () => {
  await withSession(async (s) => {
    assert.equal(s.info?.display, true, 'HELLO_REPLY: a display');
    // (the SOURCES right after HELLO_REPLY is not looked at: the session may take it for a leftover
    // of an earlier host when it comes in the same read as the reply)
    await s.startStream({ ...DISPLAY, audio: AudioCodec.Off, audioRate: 0 });
    await waitFor(() => s.sources.live === Source.Display, 'SOURCES: the display streams');
    assert.ok(s.sources.camera && s.sources.display, 'SOURCES: both are there');
    await s.startStream({ ...DEFAULT_STREAM_SETTINGS, audio: AudioCodec.Off, audioRate: 0 });
    await waitFor(() => s.sources.live === Source.Camera, 'SOURCES: follow streams the camera (no script runs here)');
    await s.stopStream();
    await waitFor(() => s.sources.live === undefined, 'SOURCES: nothing streams after STREAM_STOP');
  });
});

test('2 s of the display and 2 s of the camera: both decode cleanly, with sound; the OSD box moves in the display only', async () => {
  const display = path.join(base, 'display.mp4');
  const camera = path.join(base, 'camera.mp4');
  await withSession(async (s) => {
    assert.deepEqual(await record(s, DISPLAY, display), [Source.Display]);
    assert.deepEqual(await record(s, CAMERA, camera), [Source.Camera]);
  });

  for (const file of [display, camera]) {
    const v = probeVideo(file);
    assert.equal(v.codec, 'h264');
    assert.equal(`${v.width}x${v.height}`, `${W}x${H}`, 'the stream\'s size, for the display as for the camera');
    assert.ok(v.frames >= 55 && v.frames <= 60, `${file}: 2 s at 30 fps (${v.frames} frames)`);
    assert.equal(decodeErrors(file), '');
    assert.deepEqual(probeSound(file), { codec: 'pcm_mulaw', rate: 8000, channels: 1 }, `${file}: its sound track`);
  }
  // The whole-second marks and the microphone's tone stay on the display: sync is measured as on the camera.
  assertInSync(display, 2);

  const shown = decodedLuma(display, W, H);
  assert.equal(shown.length, probeVideo(display).frames);
  const places = new Set<string>();
  for (const [i, luma] of shown.entries()) {
    const box = osdBox(luma);
    assert.ok(box, `display picture ${i}: the OSD box is in its band`);
    assert.ok(Math.abs(box.w - 64) <= 4 && Math.abs(box.h - 64) <= 4, `display picture ${i}: a 64x64 box (${box.w}x${box.h})`);
    places.add(`${box.x},${box.y}`);
    if (i > 0) {
      const before = osdBox(shown[i - 1])!;
      assert.ok(box.x !== before.x && box.y !== before.y, `display picture ${i}: the box moved diagonally (${before.x},${before.y} -> ${box.x},${box.y})`);
    }
  }
  assert.equal(places.size, shown.length, 'a place of its own in every picture');

  for (const [i, luma] of decodedLuma(camera, W, H).entries()) {
    assert.equal(osdBox(luma), undefined, `camera picture ${i}: no OSD box`);
  }
});

test('the board records its display: an MP4 on the card with the OSD box and the sound', async () => {
  const onCard = path.join(sdcard, 'display-on-board.mp4');
  await withSession(async (s) => {
    const started = await s.startBoardRecording('/sdcard/display-on-board.mp4', DISPLAY);
    assert.equal(started.active, true);
    await sleep(2000);
    const stopped = await s.stopBoardRecording();
    assert.equal(stopped.active, false);
    assert.ok(stopped.frames >= 45, `about 2 s of pictures (${stopped.frames})`);
  });
  const v = probeVideo(onCard);
  assert.equal(`${v.width}x${v.height}`, `${W}x${H}`);
  assert.equal(decodeErrors(onCard), '');
  assert.equal(probeSound(onCard).codec, 'pcm_mulaw');
  const pictures = decodedLuma(onCard, W, H);
  assert.ok(pictures.every((luma) => osdBox(luma) !== undefined), 'the OSD box in every picture');
});
