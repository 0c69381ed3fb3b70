// What a script shows, streamed as the board's own H.264, on the simulated stock board, beside the
// camera in the same run:
// - the display's frame rate held at 640x480 and at 1280x720 (30 fps asked, a script drawing as
//   fast as the VM lets it);
// - capture (the camera's sensor time, the display's refresh time: both the pts) to presented in
//   Chromium, and to the fragment's last byte on the host, the camera's beside the display's;
// - what the write-back adds to the simulated board's CPU: the same script with the display
//   streamed and with no stream (the board process and its encoders, from /proc);
// - bytes per second of the display's H.264 beside the official tools' JPEG of the same pictures
//   (libjpeg quality 90, the firmware's default, through OpenCV, at their 30 fps).
// `npx tsx bench/display.ts [seconds]`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectBoard } from '../src/host/board/connect';
import { Mp4Recorder } from '../src/host/recording/mp4-recorder';
import { ScriptRun } from '../src/host/script/script-run';
import type { BoardSession, Fragment } from '../src/host/session/board-session';
import { boardToHostMs, estimateClockOffset } from '../src/host/session/clock-sync';
import { AudioCodec, Source } from '../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { feedPage, openPlayerPage } from '../test/browser/harness';
import { sleep, waitFor } from '../test/support/poll';
import { percentilesAndMax, round, type PercentilesAndMax } from './stats';

export interface DisplayResult {
  seconds: number;
  /** the display's pictures per second as streamed (30 asked), by size */
  fps_held: Record<'640x480' | '1280x720', number>;
  /** capture -> presented in Chromium. The MicroPython agent puts VENC's pts on its own clock by the
   * offset of the first picture it took, so the absolute figures are short by that picture's own
   * delay (they can go below 0); the display's minus the camera's, on the same offset, is exact. */
  latency_ms: { camera: PercentilesAndMax; display: PercentilesAndMax };
  display_minus_camera_ms: { presented_p50: number; presented_p95: number; link_p50: number; link_p95: number };
  /** capture -> the fragment's last byte on the host */
  link_latency_ms: { camera: PercentilesAndMax; display: PercentilesAndMax };
  /** the simulated board (its process and encoders), % of one core, with the same script running */
  board_cpu_pct: { no_stream: number; display_streamed: number; added: number };
  /** the display at 640x480: the board's H.264 beside JPEG of the same pictures at 30 fps */
  bytes_per_s: { h264: number; jpeg_q90: number; jpeg_over_h264: number };
}

/** A script as a user writes it: a box moving over the camera's picture, text, shown on a virtual display. */
const drawing = (width: number, height: number, seconds: number) => `import time, image
from media.sensor import Sensor
from media.display import Display
from media.media import MediaManager
sensor = Sensor(width=${width}, height=${height}, fps=30)
sensor.reset()
sensor.set_framesize(width=${width}, height=${height})
sensor.set_pixformat(Sensor.RGB888)
Display.init(Display.VIRT, width=${width}, height=${height}, fps=30)
MediaManager.init()
sensor.run()
clock = time.clock()
end = time.ticks_add(time.ticks_ms(), ${seconds * 1000})
i = 0
while time.ticks_diff(end, time.ticks_ms()) > 0:
    clock.tick()
    img = sensor.snapshot()
    img.draw_rectangle(20 + (i * 6) % ${width - 120}, ${height / 4}, 80, 80, color=(255, 0, 0), thickness=4)
    img.draw_string_advanced(16, 16, 28, "frame %d" % i, color=(255, 255, 255))
    Display.show_image(img)
    i += 1
print("script fps", clock.fps())
sensor.stop()
Display.deinit()
`;

/** CPU seconds of a process and every process under it (from /proc). */
function treeCpuSeconds(root: number): number {
  const stats = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [{ pid: Number(pid), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 }];
    } catch {
      return [];
    }
  });
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats) if (!inTree.has(s.pid) && inTree.has(s.ppid)) grew = inTree.add(s.pid) !== undefined;
  }
  return stats.filter((s) => inTree.has(s.pid)).reduce((a, s) => a + s.cpu, 0);
}

/** Runs `code` on the board until it ends; `during` runs once its display's first picture has come (or at once with no stream). */
async function runScript(session: BoardSession, name: string, code: string, during: () => Promise<void>): Promise<string> {
  let out = '';
  const run = await ScriptRun.start(session, name, code, { output: (t) => (out += t) });
  await during();
  const r = await run.ended;
  if (r.traceback) throw new Error(`${name}: ${r.traceback}`);
  return out;
}

export async function benchDisplay(seconds = 10): Promise<DisplayResult> {
  const board = await startSimulatedBoard({ stock: true, build: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-display-'));
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  try {
    const clock = await estimateClockOffset(session, 16);
    feedPage(page, session, clock, { sound: false });
    let fragments: Fragment[] = [];
    session.on('fragment', (f) => fragments.push(f));
    const linkMs = (f: Fragment) => performance.timeOrigin + f.receivedAtMs - boardToHostMs(f.ptsUs, clock);
    const settings = { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 480, fps: 30, audio: AudioCodec.Off, audioRate: 0, source: Source.Follow };
    /** `seconds` of the stream as it is now: what the page presented and what reached the host */
    const measure = async () => {
      fragments = [];
      await page.page.evaluate(() => (window.latencies = []));
      await sleep(seconds * 1000);
      const latencies = await page.page.evaluate(() => window.latencies);
      const span = Number(fragments.at(-1)!.ptsUs - fragments[0].ptsUs) / 1e6;
      return { presented: percentilesAndMax(latencies), link: percentilesAndMax(fragments.map(linkMs)), fps: round((fragments.length - 1) / span), taken: fragments };
    };

    await session.startStream(settings);
    await waitFor(() => fragments.length > 30, 'the camera streams', 20_000);
    const camera = await measure();

    const streamsDisplay = () => waitFor(() => session.streamInit?.source === Source.Display && fragments.length > 10, 'the display streams', 20_000);
    let display!: Awaited<ReturnType<typeof measure>>;
    const recorded = path.join(dir, 'display.mp4');
    await runScript(session, 'boxes.py', drawing(640, 480, seconds + 4), async () => {
      await streamsDisplay();
      const recorder = Mp4Recorder.create(recorded, 30);
      recorder.writeInit(session.streamInit!);
      await session.requestIdr();
      const write = (f: Fragment) => recorder.writeFragment(f);
      session.on('fragment', write);
      display = await measure();
      session.off('fragment', write);
      recorder.close();
    });
    let fps720 = 0;
    await runScript(session, 'boxes720.py', drawing(1280, 720, seconds + 4), async () => {
      await streamsDisplay();
      fps720 = (await measure()).fps;
    });

    // The write-back's cost: the same script with no stream, then with the display streamed.
    await session.stopStream();
    const cpuShare = async (stream: boolean) => {
      if (stream) await session.startStream(settings);
      let share = 0;
      await runScript(session, 'cpu.py', drawing(640, 480, seconds + 3), async () => {
        if (stream) await streamsDisplay();
        else await sleep(2000);
        const cpu0 = treeCpuSeconds(board.process.pid!);
        const t0 = performance.now();
        await sleep(seconds * 1000);
        share = (treeCpuSeconds(board.process.pid!) - cpu0) / ((performance.now() - t0) / 1000) * 100;
      });
      if (stream) await session.stopStream();
      return round(share);
    };
    const noStream = await cpuShare(false);
    const streamed = await cpuShare(true);

    const h264 = display.taken.reduce((a, f) => a + f.data.length, 0) / seconds;
    const jpegBytesPerFrame = Number(execFileSync('/usr/bin/python3', ['-c', `
import cv2, sys
cap = cv2.VideoCapture(sys.argv[1])
sizes = []
while True:
    ok, frame = cap.read()
    if not ok:
        break
    sizes.append(len(cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1]))
print(sum(sizes) / len(sizes))
`, recorded]).toString());
    const jpeg = jpegBytesPerFrame * 30;
    return {
      seconds,
      fps_held: { '640x480': display.fps, '1280x720': fps720 },
      latency_ms: { camera: camera.presented, display: display.presented },
      link_latency_ms: { camera: camera.link, display: display.link },
      display_minus_camera_ms: {
        presented_p50: round(display.presented.p50 - camera.presented.p50),
        presented_p95: round(display.presented.p95 - camera.presented.p95),
        link_p50: round(display.link.p50 - camera.link.p50),
        link_p95: round(display.link.p95 - camera.link.p95),
      },
      board_cpu_pct: { no_stream: noStream, display_streamed: streamed, added: round(streamed - noStream) },
      bytes_per_s: { h264: Math.round(h264), jpeg_q90: Math.round(jpeg), jpeg_over_h264: round(jpeg / h264) },
    };
  } finally {
    await page.close();
    await session.release().catch(() => undefined);
    await board.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchDisplay(Number(process.argv[2] ?? 10)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
