// Capture on the (simulated) board to a frame presented in Chromium, through the real host and
// player, with the board clock mapped by round trips; and the time to the first frame.
import { feedPage, openPlayerPage } from '../test/browser/harness';
import { estimateClockOffset, boardToHostMs } from '../src/host/session/clock-sync';
import { connectBoard } from '../src/host/board/connect';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { sleep } from '../test/support/poll';
import { median, percentilesAndMax, round, type PercentilesAndMax } from './stats';

export interface LatencyResult {
  seconds: number;
  frames_sent: number;
  frames_presented: number;
  /** board capture -> presented in Chromium (requestVideoFrameCallback) */
  latency_ms: PercentilesAndMax;
  /** board capture -> the fragment's last byte on the host: the part the player cannot help */
  link_latency_ms: PercentilesAndMax;
  clock_rtt_ms: number;
  /** "start preview" -> first presented frame, median of `ttff_runs` */
  ttff_ms: number;
  ttff_runs_ms: number[];
}

export async function benchLatency(seconds = 60, ttffRuns = 10): Promise<LatencyResult> {
  const board = await startSimulatedBoard({ build: false });
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  try {
    const clock = await estimateClockOffset(session, 16);
    let sent = 0;
    const link: number[] = [];
    feedPage(page, session, clock, { sound: false });
    session.on('fragment', (f) => {
      sent++;
      link.push(performance.timeOrigin + f.receivedAtMs - boardToHostMs(f.ptsUs, clock));
    });
    const settings = { ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720, fps: 30 };

    const ttff: number[] = [];
    for (let i = 0; i < ttffRuns; i++) {
      await page.page.evaluate(() => (window.firstFrameAtMs = undefined));
      const started = performance.timeOrigin + performance.now();
      await session.startStream(settings);
      await page.page.waitForFunction(() => window.firstFrameAtMs !== undefined, undefined, { timeout: 10_000 });
      ttff.push((await page.page.evaluate(() => window.firstFrameAtMs!)) - started);
      await session.stopStream();
      await sleep(300);
    }

    await page.page.evaluate(() => (window.latencies = []));
    sent = 0;
    link.length = 0;
    await session.startStream(settings);
    await sleep(seconds * 1000);
    await session.stopStream();
    await sleep(1000);
    const latencies = await page.page.evaluate(() => window.latencies);
    return {
      seconds,
      frames_sent: sent,
      frames_presented: latencies.length,
      latency_ms: percentilesAndMax(latencies),
      link_latency_ms: percentilesAndMax(link),
      clock_rtt_ms: round(Number(clock.rttUs) / 1000),
      ttff_ms: round(median(ttff)),
      ttff_runs_ms: ttff.map((t) => round(t)),
    };
  } finally {
    await session.disconnect();
    await page.close();
    await board.stop();
  }
}

if (require.main === module) void benchLatency(Number(process.argv[2] ?? 60), 10).then((r) => console.log(JSON.stringify(r, null, 2)));
