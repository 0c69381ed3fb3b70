// What a user's script shows, end to end: a script written for CanMV IDE draws on a virtual display
// (Display.VIRT) on the simulated stock board, whose write-back the agent encodes with the board's
// encoder; `k230live run --record` writes that H.264 into an MP4, and the pictures in it are where
// the script said it drew.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { ScriptRun } from '../../src/host/script/script-run';
import { estimateClockOffset } from '../../src/host/session/clock-sync';
import { recordStream } from '../../src/host/recording/record-stream';
import { shareStream } from '../../src/host/stream-server/share';
import { AudioCodec, Source } from '../../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { runCli } from '../support/cli';
import { sleep, waitFor } from '../support/poll';
import { lumaOf } from '../../src/simulators/stock-board/image/bt601';
import { brightBox, decodedLuma, decodeErrors, probeSound, probeVideo } from '../support/media';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-display-'));
let board: SimulatedBoard;
const cli = (args: string[]) => runCli([args[0], '--port', board.portPath, ...args.slice(1)]);

function script(name: string, code: string): string {
  const file = path.join(base, name);
  fs.writeFileSync(file, code);
  return file;
}

before(async () => {
  fs.mkdirSync(path.join(base, 'sdcard'));
  board = await startSimulatedBoard({ stock: true, sdcard: path.join(base, 'sdcard') });
});

after(async () => {
  await board.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

/** A script's loop: `frames` times, a white 80x80 box drawn at a new place on an ARGB8888 image,
 * shown, and its place printed. */
const boxLoop = (frames: number, image: string, show: string) => `for i in range(${frames}):
    x = 16 + (i * 12) % 520
    y = 24 + (i * 7) % 360
    ${image}.clear()
    ${image}.draw_rectangle(x, y, 80, 80, color=(255, 255, 255), fill=True)
    ${show}
    print("box", x, y)
    time.sleep_ms(33)
`;

// As a user writes it for CanMV IDE: no import of ours.
const BOX_SCRIPT = `import time
import image
from media.display import Display
from media.media import MediaManager

Display.init(Display.VIRT, width=640, height=480, fps=30)
MediaManager.init()
img = image.Image(640, 480, image.ARGB8888)
${boxLoop(90, 'img', 'Display.show_image(img)')}Display.deinit()
MediaManager.deinit()
`;

test('run --record: the display as the board\'s H.264, every picture decodes, and the box is where the script drew it', async () => {
  const out = path.join(base, 'display.mp4');
  const r = await cli(['run', script('box.py', BOX_SCRIPT), '--record', out, '--audio', 'off']);
  assert.equal(r.code, 0, r.stderr);
  // (MediaManager.init and deinit print "deprecated function" on this firmware, as on a board)
  const positions = r.stdout.trim().split('\n').filter((line) => line !== 'deprecated function').map((line) => {
    const m = /^box (\d+) (\d+)$/.exec(line);
    assert.ok(m, `a line the script printed: ${line}`);
    return { x: Number(m[1]), y: Number(m[2]) };
  });
  assert.equal(positions.length, 90, 'every line, in order');
  assert.match(r.stderr, /display\.mp4: \d+ frames of the display/);

  const v = probeVideo(out);
  assert.equal(v.codec, 'h264');
  assert.equal(`${v.width}x${v.height}`, '640x480');
  assert.ok(v.frames >= 45, `${v.frames} frames of a 3 s script at 30 fps`);
  assert.equal(decodeErrors(out), '');

  const pictures = decodedLuma(out, 640, 480);
  assert.equal(pictures.length, v.frames);
  let boxes = 0;
  for (const [i, luma] of pictures.entries()) {
    const box = brightBox(luma, 640, 128);
    if (!box) continue; // a refresh before the first show_image: the display is black
    boxes++;
    assert.ok(Math.abs(box.w - 80) <= 2 && Math.abs(box.h - 80) <= 2, `picture ${i}: an 80x80 box, got ${box.w}x${box.h}`);
    const near = positions.some((p) => Math.abs(p.x - box.x) <= 2 && Math.abs(p.y - box.y) <= 2);
    assert.ok(near, `picture ${i}: the box at ${box.x},${box.y} is at a position the script printed`);
  }
  assert.ok(boxes >= v.frames - 2, `${boxes} of ${v.frames} pictures show the box`);
});

// The same over the camera, as CanMV's examples write it: the sensor bound to the video layer, a
// box drawn on a transparent OSD layer above it.
const CAMERA_BOX_SCRIPT = `import time
import image
from media.sensor import *
from media.display import Display
from media.media import MediaManager

sensor = Sensor(width=1280, height=720, fps=30)
sensor.reset()
sensor.set_framesize(width=640, height=480, chn=CAM_CHN_ID_0)
sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_0)
Display.bind_layer(**sensor.bind_info(chn=CAM_CHN_ID_0), layer=Display.LAYER_VIDEO1)
Display.init(Display.VIRT, width=640, height=480, fps=30)
MediaManager.init()
sensor.run()
osd = image.Image(640, 480, image.ARGB8888)
${boxLoop(60, 'osd', 'Display.show_image(osd, 0, 0, Display.LAYER_OSD3)')}sensor.stop()
Display.deinit()
MediaManager.deinit()
`;

test('run --record over the camera: the camera\'s moving picture on the video layer and the OSD box where the script drew it, in one H.264', async () => {
  const out = path.join(base, 'camera-box.mp4');
  const r = await cli(['run', script('camera-box.py', CAMERA_BOX_SCRIPT), '--record', out, '--audio', 'off']);
  assert.equal(r.code, 0, r.stderr);
  const positions = [...r.stdout.matchAll(/^box (\d+) (\d+)$/gm)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
  assert.equal(positions.length, 60, 'every line, in order');
  const v = probeVideo(out);
  assert.equal(`${v.codec} ${v.width}x${v.height}`, 'h264 640x480');
  assert.ok(v.frames >= 30, `${v.frames} frames of a 2 s script at 30 fps`);
  assert.equal(decodeErrors(out), '');

  // The camera's yellow square (camera.ts) crosses its middle rows, 4 pixels a frame; the OSD's box
  // is white, brighter than anything of the camera's. (ffmpeg's gray is full range: Y 16-235 spread.)
  const yellow = ((lumaOf(0xf0, 0xc8, 0x28) - 16) * 255) / 219;
  const squareLeft = (luma: Uint8Array, box?: { x: number; w: number }) => {
    const row = 240 * 640;
    for (let x = 0; x < 640; x++) {
      if (box && x >= box.x - 2 && x < box.x + box.w + 2) continue;
      if (Math.abs(luma[row + x] - yellow) <= 8) return x;
    }
    return undefined;
  };
  let boxes = 0;
  const lefts: number[] = [];
  for (const [i, luma] of decodedLuma(out, 640, 480).entries()) {
    const box = brightBox(luma, 640, 215);
    if (box) {
      boxes++;
      const near = positions.some((p) => Math.abs(p.x - box.x) <= 2 && Math.abs(p.y - box.y) <= 2);
      assert.ok(near && Math.abs(box.w - 80) <= 2 && Math.abs(box.h - 80) <= 2, `picture ${i}: an 80x80 box at a position the script printed, got ${box.w}x${box.h} at ${box.x},${box.y}`);
    }
    const left = squareLeft(luma, box);
    if (left !== undefined && left > 0) lefts.push(left); // at 0 it is coming in from the edge
  }
  assert.ok(boxes >= v.frames - 2, `${boxes} of ${v.frames} pictures show the box`);
  const moves = lefts.slice(1).map((x, i) => x - lefts[i]).filter((d) => d > 0);
  assert.ok(lefts.length >= v.frames / 2 && moves.length >= lefts.length / 2, `the camera's square moves under the OSD (its left edge: ${lefts.join(' ')})`);
});

test('a script that shows no display records nothing, and says so in one line', async () => {
  const out = path.join(base, 'none.mp4');
  const r = await cli(['run', script('quiet.py', 'print("no display here")\n'), '--record', out]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'no display here\n');
  assert.match(r.stderr, /quiet\.py showed no display .*nothing was recorded/);
  assert.ok(!fs.existsSync(out), 'no empty file left behind');
});

/** `ffmpeg -c copy` of `frames` pictures from a URL into an MP4, as the README's recipe does; its stderr. */
function ffmpegCopy(url: string, out: string, frames: number): Promise<string> {
  const input = url.startsWith('rtsp:') ? ['-rtsp_transport', 'tcp', '-i', url] : ['-i', url];
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-nostdin', '-y', '-v', 'error', ...input, '-frames:v', String(frames), '-c', 'copy', out], { timeout: 30_000 }, (_e, _o, stderr) => resolve(stderr));
  });
}

test('Record on Board while a script shows its display: the card gets the display with its sound, beside the live view of it, and the file ends with the script', async () => {
  const s = await connectBoard(board.portPath);
  try {
    await assert.rejects(s.startBoardRecording('/sdcard/nothing.mp4', { ...DEFAULT_STREAM_SETTINGS, source: Source.Display }), /no script shows a display to record/);
    let ended!: () => void;
    const scriptEnded = new Promise<void>((resolve) => (ended = resolve));
    const liveOut = path.join(base, 'live-beside-board.mp4');
    const live = recordStream(s, { ...DEFAULT_STREAM_SETTINGS, audio: AudioCodec.Off, audioRate: 0, source: Source.Display }, liveOut, { until: scriptEnded });
    let printed = '';
    const run = await ScriptRun.start(s, 'board-box.py', BOX_SCRIPT.replace('range(90)', 'range(150)'), { output: (text) => (printed += text) });
    await waitFor(() => printed.split('\n').length > 15, 'the script showing boxes', 15_000);
    const started = await s.startBoardRecording('/sdcard/display-on-board.mp4', { ...DEFAULT_STREAM_SETTINGS, source: Source.Follow }); // as Record on Board asks
    assert.equal(started.active, true);
    await run.ended;
    ended();
    await live;
    await waitFor(async () => !(await s.boardRecordingStatus()).active, 'the board recording ended with the script', 10_000);
    const stopped = await s.boardRecordingStatus();
    assert.equal(stopped.error, undefined, 'no fault');
    assert.match(stopped.ended ?? '', /the script ended|the script's display ended/);

    const positions = [...printed.matchAll(/^box (\d+) (\d+)$/gm)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    for (const [file, minFrames] of [[path.join(base, 'sdcard', 'display-on-board.mp4'), 60], [liveOut, 100]] as const) {
      const v = probeVideo(file);
      assert.equal(`${v.codec} ${v.width}x${v.height}`, 'h264 640x480', file);
      assert.ok(v.frames >= minFrames, `${v.frames} pictures of the display in ${file}`);
      assert.equal(decodeErrors(file), '', file);
      console.log(`# ${path.basename(file)}: ${v.frames} pictures of the display`);
      const boxes = decodedLuma(file, 640, 480).map((luma) => brightBox(luma, 640, 128)).filter((b) => b !== undefined);
      assert.ok(boxes.length >= v.frames - 2, `${boxes.length} of ${v.frames} pictures in ${file} show the box`);
      for (const b of boxes) assert.ok(positions.some((p) => Math.abs(p.x - b.x) <= 2 && Math.abs(p.y - b.y) <= 2), `a box at ${b.x},${b.y} in ${file}, where the script drew one`);
    }
    assert.equal(probeSound(path.join(base, 'sdcard', 'display-on-board.mp4')).codec, 'pcm_mulaw', 'the board\'s file has the sound');
  } finally {
    await s.release();
  }
});

test('Share Stream serves what the script shows: the display\'s URLs over RTSP and HTTP, and the camera\'s end when it comes', async () => {
  const session = await connectBoard(board.portPath);
  const shared = await shareStream(session, { rtspPort: 0, httpPort: 0, listen: '127.0.0.1', clock: await estimateClockOffset(session) });
  try {
    const urls = shared.all.filter((u) => u.display && !u.sound).map((u) => u.url);
    assert.deepEqual(urls.map((u) => u.replace(/:\d+/, ':PORT')), ['rtsp://127.0.0.1:PORT/k230-display-video', 'http://127.0.0.1:PORT/k230-display-video.mp4']);
    await session.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360, audio: AudioCodec.Off, audioRate: 0, source: Source.Follow });
    const cameraOut = path.join(base, 'shared-camera.mp4');
    const camera = ffmpegCopy(shared.all[0].url.replace('/k230', '/k230-video'), cameraOut, 10_000); // reads until the camera's stream ends
    await waitFor(() => shared.clientCount() === 1, 'the camera\'s client plays', 15_000);
    await sleep(1000);
    const show = BOX_SCRIPT.replace('range(90)', 'range(150)');
    const run = await ScriptRun.start(session, 'shared.py', show, { output: () => undefined });
    const outs = urls.map((_, i) => path.join(base, `shared-display-${i}.mp4`));
    await Promise.all(urls.map((u, i) => ffmpegCopy(u, outs[i], 45)));
    for (const out of outs) {
      const v = probeVideo(out);
      assert.equal(`${v.codec} ${v.width}x${v.height}`, 'h264 640x480');
      assert.ok(v.frames >= 40, `${v.frames} pictures of the display from ${out}`);
      assert.equal(decodeErrors(out), '');
    }
    assert.equal(await camera, '', 'the camera\'s client ended cleanly when the display came');
    const c = probeVideo(cameraOut);
    assert.equal(`${c.width}x${c.height}`, '640x360');
    assert.ok(c.frames > 0 && decodeErrors(cameraOut) === '', 'what it got of the camera plays');
    await run.stop();
  } finally {
    await shared.close();
    await session.release();
  }
});
