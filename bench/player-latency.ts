// Capture on the (simulated) board to a frame handed to the compositor in Chromium, through the real
// host and player, with the board clock mapped by round trips; and the time to the first frame.
// Both of the player's paths in the same run, in alternating phases on one board and one page: the
// page as the webview has it (its default path), then with that path's API hidden (the other). Each
// frame's time is split where it goes (link, hand-off to the page, decode, wait for the compositor),
// and the smoothness is counted beside it (frames that never reached the compositor, stalls, the
// spread of the intervals between presented frames).
import { feedPage, openPlayerPage } from '../test/browser/harness';
import { estimateClockOffset, boardToHostMs } from '../src/host/session/clock-sync';
import { connectBoard } from '../src/host/board/connect';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { boardFromArgs, startBenchBoard, type BenchBoard } from './boards';
import type { FrameTiming } from '../src/webview/player';
import { sleep } from '../test/support/poll';
import { median, percentile, percentiles, percentilesAndMax, round, type Percentiles, type PercentilesAndMax } from './stats';

type PathName = 'mse' | 'webcodecs';

const FPS = 30;
/** An interval between presented frames this many frame periods long or more is a stall. */
const STALL_PERIODS = 3;

export interface PathResult {
  frames_sent: number;
  frames_presented: number;
  /** board capture -> handed to the compositor: the animation frame that takes it (the video's:
   * the one whose requestVideoFrameCallback reports it; the canvas's: the one that draws it) */
  latency_ms: PercentilesAndMax;
  /** MediaSource only (null for WebCodecs): board capture -> the video's own presentationTime, which
   * Chromium stamps when the frame is handed over, up to a refresh before the animation frame that reports it */
  latency_presentation_time_ms: PercentilesAndMax | null;
  /** board capture -> the fragment's last byte on the host: the part the player cannot help */
  link_latency_ms: PercentilesAndMax;
  /** the player's own share, per frame: presented minus the last byte on the host */
  player_ms: PercentilesAndMax;
  /** where the player's share goes, per frame (p50/p95) */
  breakdown_ms: {
    /** the last byte on the host -> the fragment's message in the page (PreviewFeed, the hand-off) */
    hand_off: Percentiles;
    /** the message in the page -> the decoder's output (WebCodecs only, null for MediaSource, which does not tell) */
    decode: Percentiles | null;
    /** the decoder's output -> the compositor (WebCodecs: the next animation frame; null for MediaSource) */
    to_compositor: Percentiles | null;
    /** the message in the page -> the compositor (MediaSource: append, decode, the playhead, the compositor) */
    in_page: Percentiles;
  };
  /** sent frames that never reached the compositor (skipped, dropped, or two in one refresh) */
  frames_dropped: number;
  /** what the player itself counted: decoded but never shown, and passed over to stay live */
  player_dropped: number;
  player_skipped: number;
  /** intervals between presented frames of STALL_PERIODS frame periods or more, and their total */
  stalls: number;
  stalled_ms: number;
  /** the intervals between consecutive presented frames (33.3 ms at 30 fps when perfectly smooth) */
  interval_ms: { p5: number; p50: number; p95: number; max: number; stdev: number };
  /** "start preview" -> first presented frame, median of `ttff_runs` */
  ttff_ms: number;
  ttff_p95_ms: number;
  ttff_runs_ms: number[];
}

export interface LatencyResult {
  seconds: number;
  /** the path the player takes by default in this Chromium: the figures at the top are its */
  path: PathName;
  frames_sent: number;
  frames_presented: number;
  /** board capture -> presented in Chromium, the default path */
  latency_ms: PercentilesAndMax;
  /** board capture -> the fragment's last byte on the host: the part the player cannot help */
  link_latency_ms: PercentilesAndMax;
  clock_rtt_ms: number;
  /** "start preview" -> first presented frame, median of `ttff_runs`, the default path */
  ttff_ms: number;
  ttff_runs_ms: number[];
  /** both paths side by side, measured in alternating phases of the same run */
  paths: Record<PathName, PathResult>;
}

interface PhaseFrames {
  sent: number;
  /** media time (ms) -> the fragment's last byte on the host (wall clock, ms) */
  received: Map<number, number>;
  link: number[];
  timings: FrameTiming[];
  player: { decoded: number; dropped: number; skipped: number };
}

const mediaKey = (s: number) => Math.round(s * 1000);

function summarize(phases: PhaseFrames[], ttff: number[]): PathResult {
  const latency: number[] = [];
  const player: number[] = [];
  const handOff: number[] = [];
  const decode: number[] = [];
  const toCompositor: number[] = [];
  const inPage: number[] = [];
  const intervals: number[] = [];
  const byPresentationTime: number[] = [];
  let sent = 0;
  let presented = 0;
  const link: number[] = [];
  const counted = { dropped: 0, skipped: 0 };
  for (const phase of phases) {
    sent += phase.sent;
    presented += phase.timings.length;
    link.push(...phase.link);
    counted.dropped += phase.player.dropped;
    counted.skipped += phase.player.skipped;
    let previous: number | undefined;
    for (const t of phase.timings) {
      latency.push(t.presentedMs - t.captureMs);
      const received = phase.received.get(mediaKey(t.mediaTimeS));
      if (received !== undefined) {
        player.push(t.presentedMs - received);
        handOff.push(t.arrivedMs - received);
      }
      inPage.push(t.presentedMs - t.arrivedMs);
      if (t.videoPresentationMs !== undefined) byPresentationTime.push(t.videoPresentationMs - t.captureMs);
      if (t.decodedMs !== undefined) {
        decode.push(t.decodedMs - t.arrivedMs);
        toCompositor.push(t.presentedMs - t.decodedMs);
      }
      if (previous !== undefined) intervals.push(t.presentedMs - previous);
      previous = t.presentedMs;
    }
  }
  const period = 1000 / FPS;
  const stalls = intervals.filter((i) => i >= STALL_PERIODS * period);
  const meanInterval = intervals.reduce((a, b) => a + b, 0) / intervals.length;
  const stdev = Math.sqrt(intervals.reduce((a, b) => a + (b - meanInterval) ** 2, 0) / intervals.length);
  return {
    frames_sent: sent,
    frames_presented: presented,
    latency_ms: percentilesAndMax(latency),
    latency_presentation_time_ms: byPresentationTime.length ? percentilesAndMax(byPresentationTime) : null,
    link_latency_ms: percentilesAndMax(link),
    player_ms: percentilesAndMax(player),
    breakdown_ms: {
      hand_off: percentiles(handOff),
      decode: decode.length ? percentiles(decode) : null,
      to_compositor: decode.length ? percentiles(toCompositor) : null,
      in_page: percentiles(inPage),
    },
    frames_dropped: Math.max(0, sent - presented),
    player_dropped: counted.dropped,
    player_skipped: counted.skipped,
    stalls: stalls.length,
    stalled_ms: round(stalls.reduce((a, b) => a + b - period, 0)),
    interval_ms: {
      p5: round(percentile(intervals, 5)),
      p50: round(percentile(intervals, 50)),
      p95: round(percentile(intervals, 95)),
      max: round(Math.max(...intervals)),
      stdev: round(stdev),
    },
    ttff_ms: round(median(ttff)),
    ttff_p95_ms: round(percentile(ttff, 95)),
    ttff_runs_ms: ttff.map((t) => round(t)),
  };
}

/** `seconds` of streaming for each path, in three alternating phases; `ttffRuns` first frames for each. */
export async function benchLatency(seconds = 60, ttffRuns = 10, kind: BenchBoard = 'agent'): Promise<LatencyResult> {
  const board = await startBenchBoard(kind);
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  try {
    const clock = await estimateClockOffset(session, 16);
    // The extension's default stream (sound on), into a muted preview: the sound is not fed (bench/sound.ts measures it).
    const settings = { ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720, fps: FPS };
    // The path the page takes as the webview has it, then the other with the first's API hidden.
    const firstPath = async (only: PathName | undefined): Promise<PathName> => {
      await page.onlyPath(only);
      const detach = feedPage(page, session, clock, { sound: false });
      await page.page.evaluate(() => (window.timings = []));
      await session.startStream(settings);
      await page.page.waitForFunction(() => window.timings.length > 0, undefined, { timeout: 10_000 });
      await session.stopStream();
      detach();
      const path = await page.page.evaluate(() => window.timings[window.timings.length - 1].path);
      await sleep(300); // the last frames of this stream reach the screen before the next one's count starts
      return path;
    };
    const defaultPath = await firstPath(undefined);
    const otherPath: PathName = defaultPath === 'mse' ? 'webcodecs' : 'mse';
    if ((await firstPath(otherPath)) !== otherPath) throw new Error(`the page without ${defaultPath} did not play through ${otherPath}`);
    const order: PathName[] = [defaultPath, otherPath];
    const usePath = (path: PathName) => page.onlyPath(path === defaultPath ? undefined : path);

    let phase: PhaseFrames | undefined;
    session.on('fragment', (f) => {
      if (!phase) return;
      phase.sent++;
      const received = performance.timeOrigin + f.receivedAtMs;
      phase.received.set(mediaKey(f.mediaTimeS), received);
      phase.link.push(received - boardToHostMs(f.ptsUs, clock));
    });

    const ttff: Record<PathName, number[]> = { mse: [], webcodecs: [] };
    for (let i = 0; i < ttffRuns; i++) {
      for (const path of order) {
        await usePath(path);
        const detach = feedPage(page, session, clock, { sound: false });
        await page.page.evaluate(() => (window.firstFrameAtMs = undefined));
        const started = performance.timeOrigin + performance.now();
        await session.startStream(settings);
        await page.page.waitForFunction(() => window.firstFrameAtMs !== undefined, undefined, { timeout: 10_000 });
        ttff[path].push((await page.page.evaluate(() => window.firstFrameAtMs!)) - started);
        await session.stopStream();
        detach();
        await sleep(300);
      }
    }

    const phases: Record<PathName, PhaseFrames[]> = { mse: [], webcodecs: [] };
    const phaseSeconds = seconds / 3;
    for (let r = 0; r < 3; r++) {
      for (const path of order) {
        await usePath(path);
        const detach = feedPage(page, session, clock, { sound: false });
        await page.page.evaluate(() => {
          window.latencies = [];
          window.timings = [];
        });
        const frames: PhaseFrames = { sent: 0, received: new Map(), link: [], timings: [], player: { decoded: 0, dropped: 0, skipped: 0 } };
        phase = frames;
        await session.startStream(settings);
        await sleep(phaseSeconds * 1000);
        await session.stopStream();
        phase = undefined;
        await sleep(1000); // the last frames reach the screen
        const results = await page.results();
        frames.timings = results.timings;
        frames.player = { decoded: results.stats.decodedFrames, dropped: results.stats.unshownFrames, skipped: results.stats.skippedFrames };
        detach();
        phases[path].push(frames);
      }
    }
    const paths = { mse: summarize(phases.mse, ttff.mse), webcodecs: summarize(phases.webcodecs, ttff.webcodecs) };
    const chosen = paths[defaultPath];
    return {
      seconds,
      path: defaultPath,
      frames_sent: chosen.frames_sent,
      frames_presented: chosen.frames_presented,
      latency_ms: chosen.latency_ms,
      link_latency_ms: chosen.link_latency_ms,
      clock_rtt_ms: round(Number(clock.rttUs) / 1000),
      ttff_ms: chosen.ttff_ms,
      ttff_runs_ms: chosen.ttff_runs_ms,
      paths,
    };
  } finally {
    await session.disconnect();
    await page.close();
    await board.stop();
  }
}

// `npx tsx bench/player-latency.ts [seconds] [--stock]`: the C agent's board, or the stock board's.
if (require.main === module) void benchLatency(Number(process.argv[2] ?? 60) || 60, 10, boardFromArgs()).then((r) => console.log(JSON.stringify(r, null, 2)));
