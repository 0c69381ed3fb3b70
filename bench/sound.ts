// What sound costs and how late it is, beside the picture in the same run:
// - agent and host CPU at 720p30 with sound off and with G.711 mu-law 8000 Hz, alternating phases
//   on one board (the host records to a file and makes the preview's messages, as the extension does);
// - in Chromium, capture on the board to the speaker (the AudioContext's output time of each chunk)
//   beside capture to the screen (requestVideoFrameCallback), muted first (the picture as live as it
//   goes) and then with the sound on (the picture held back to meet its sound).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { feedPage, openPlayerPage } from '../test/browser/harness';
import { ClockOffset, estimateClockOffset } from '../src/host/session/clock-sync';
import { connectBoard } from '../src/host/board/connect';
import { PreviewFeed } from '../src/host/live/preview-feed';
import { Mp4Recorder } from '../src/host/recording/mp4-recorder';
import type { AudioChunk, BoardSession, Fragment, InitSegment } from '../src/host/session/board-session';
import { AudioCodec, type StreamSettings } from '../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { boardFromArgs, startBenchBoard, type BenchBoard } from './boards';
import { cpuSeconds } from '../test/support/process-cpu';
import { sleep } from '../test/support/poll';
import { mean, percentile, percentiles, round, type Percentiles } from './stats';

const VIDEO_ONLY: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720, audio: AudioCodec.Off, audioRate: 0 };
const WITH_SOUND: StreamSettings = { ...VIDEO_ONLY, audio: AudioCodec.G711U, audioRate: 8000 };

export interface SoundCostResult {
  /** percent of one core, mean of the phases */
  agent_cpu_pct: { video_only: number; with_sound: number; ratio: number };
  host_cpu_pct: { video_only: number; with_sound: number; ratio: number };
}

/** The host's work for one stream: a recording and the preview's messages, pictures and sound. */
function hostWork(session: BoardSession, clock: ClockOffset, file: string): () => void {
  const recorder = Mp4Recorder.create(file, 30);
  const feed = new PreviewFeed(session, clock, () => undefined);
  const onInit = (i: InitSegment) => recorder.writeInit(i);
  const onFragment = (f: Fragment) => recorder.writeFragment(f);
  const onAudio = (c: AudioChunk) => recorder.writeAudio(c);
  session.on('init', onInit).on('fragment', onFragment).on('audio', onAudio);
  return () => {
    session.off('init', onInit).off('fragment', onFragment).off('audio', onAudio);
    feed.close();
    recorder.close();
  };
}

export async function benchSoundCost(phaseSeconds = 10, rounds = 2): Promise<SoundCostResult> {
  const board = await startSimulatedBoard({ build: false });
  const session = await connectBoard(board.portPath);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-sound-'));
  const agent: Record<'video_only' | 'with_sound', number[]> = { video_only: [], with_sound: [] };
  const host: Record<'video_only' | 'with_sound', number[]> = { video_only: [], with_sound: [] };
  try {
    const clock = await estimateClockOffset(session);
    for (let r = 0; r < rounds; r++) {
      for (const [name, settings] of [['video_only', VIDEO_ONLY], ['with_sound', WITH_SOUND]] as const) {
        const stop = hostWork(session, clock, path.join(dir, `${name}-${r}.mp4`));
        await session.startStream(settings);
        await sleep(1000); // the encoder settles
        const agentBefore = cpuSeconds(board.process.pid!);
        const hostBefore = process.cpuUsage();
        const t = performance.now();
        await sleep(phaseSeconds * 1000);
        const wallS = (performance.now() - t) / 1000;
        const used = process.cpuUsage(hostBefore);
        agent[name].push(((cpuSeconds(board.process.pid!) - agentBefore) / wallS) * 100);
        host[name].push(((used.user + used.system) / 1e6 / wallS) * 100);
        await session.stopStream();
        stop();
      }
    }
  } finally {
    await session.disconnect();
    await board.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const summary = (v: typeof agent) => ({
    video_only: round(mean(v.video_only)),
    with_sound: round(mean(v.with_sound)),
    ratio: round(mean(v.with_sound) / mean(v.video_only), 3),
  });
  return { agent_cpu_pct: summary(agent), host_cpu_pct: summary(host) };
}

export interface SoundLatencyResult {
  seconds: number;
  /** the player's path for the picture (WebCodecs where the page's VideoDecoder takes the codec) */
  path: string;
  /** capture -> screen with the sound muted: the picture as live as the player makes it */
  video_muted_ms: Percentiles;
  /** capture -> screen with the sound on: held back to meet its sound */
  video_with_sound_ms: Percentiles;
  /** capture -> speaker, the AudioContext's output time of each chunk's first sample */
  sound_ms: Percentiles;
  /** the picture's hold for its sound: with sound minus muted, at the median */
  picture_hold_p50_ms: number;
  /** sound minus picture where a chunk and a frame start together (every 100 ms at 30 fps and 20 ms
   * chunks): the AudioContext's output time against the frame's expected display time; and the worst */
  sync_ms: Percentiles & { worst: number };
}

export async function benchSoundLatency(seconds = 10, kind: BenchBoard = 'agent'): Promise<SoundLatencyResult> {
  const board = await startBenchBoard(kind);
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  try {
    feedPage(page, session, await estimateClockOffset(session, 16));
    await session.startStream(WITH_SOUND);
    await page.page.waitForSelector('#mute:not([hidden])');
    await sleep(1000);
    await page.page.evaluate(() => (window.latencies = []));
    await sleep(seconds * 1000);
    const muted = await page.page.evaluate(() => window.latencies);
    await page.page.click('#mute');
    await sleep(2000); // the picture is held back to its sound
    await page.page.evaluate(() => {
      window.latencies = [];
      window.soundScheduled = [];
      window.framesShown = [];
      window.timings = [];
    });
    await sleep(seconds * 1000);
    const { withSound, sound, sync, path } = await page.page.evaluate(() => {
      const shownAt = new Map(window.framesShown.map((f) => [Math.round(f.mediaTimeS * 1000), f.displayPerfMs]));
      const sync: number[] = [];
      for (const c of window.soundScheduled) {
        const shown = shownAt.get(Math.round(c.mediaTimeS * 1000));
        if (shown !== undefined) sync.push(c.outputPerfMs - shown);
      }
      return {
        withSound: window.latencies,
        sound: window.soundScheduled.map((c) => performance.timeOrigin + c.outputPerfMs - c.captureMs),
        sync,
        path: window.timings[0]?.path ?? 'none',
      };
    });
    await session.stopStream();
    return {
      seconds,
      path,
      video_muted_ms: percentiles(muted),
      video_with_sound_ms: percentiles(withSound),
      sound_ms: percentiles(sound),
      picture_hold_p50_ms: round(percentile(withSound, 50) - percentile(muted, 50)),
      sync_ms: { ...percentiles(sync), worst: round(Math.max(...sync.map(Math.abs))) },
    };
  } finally {
    await session.disconnect();
    await page.close();
    await board.stop();
  }
}

if (require.main === module) {
  void (async () => {
    const cost = await benchSoundCost(Number(process.env.BENCH_PHASE_SECONDS ?? 10), 2);
    const latency = await benchSoundLatency(Number(process.env.BENCH_SECONDS ?? 10), boardFromArgs());
    console.log(JSON.stringify({ cost, latency }, null, 2));
  })();
}
