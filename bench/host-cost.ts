// What the host pays: CPU while recording vs only previewing (alternating, same stream, same run),
// and resident memory of host and agent over a long 1080p30 stream.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClockOffset, estimateClockOffset } from '../src/host/session/clock-sync';
import { connectBoard } from '../src/host/board/connect';
import { PreviewFeed } from '../src/host/live/preview-feed';
import { Mp4Recorder } from '../src/host/recording/mp4-recorder';
import { BoardSession, Fragment } from '../src/host/session/board-session';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { sleep } from '../test/support/poll';
import { mean, round } from './stats';

/** The host's work per fragment when a preview is open: the panel message (posting is VS Code's). */
function previewing(session: BoardSession, clock: ClockOffset): () => void {
  const feed = new PreviewFeed(session, clock, () => undefined);
  return () => feed.close();
}

function cpuPercent(run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  const t = performance.now();
  return run().then(() => {
    const used = process.cpuUsage(before);
    return ((used.user + used.system) / 1000 / (performance.now() - t)) * 100;
  });
}

export interface RecordingOverheadResult {
  preview_cpu_pct: number;
  preview_and_record_cpu_pct: number;
  /** extra host CPU for recording, in percentage points of one core */
  overhead_points: number;
}

export async function benchRecordingOverhead(phaseSeconds = 10, rounds = 2): Promise<RecordingOverheadResult> {
  const board = await startSimulatedBoard({ build: false });
  const session = await connectBoard(board.portPath);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-rec-'));
  const preview: number[] = [];
  const both: number[] = [];
  try {
    const clock = await estimateClockOffset(session);
    const stopPreview = previewing(session, clock);
    let init: Parameters<Mp4Recorder['writeInit']>[0] | undefined;
    session.on('init', (i) => (init = i));
    await session.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720 });
    await sleep(1000);
    for (let r = 0; r < rounds; r++) {
      preview.push(await cpuPercent(() => sleep(phaseSeconds * 1000)));
      const recorder = Mp4Recorder.create(path.join(dir, `r${r}.mp4`), 30);
      recorder.writeInit(init!);
      const write = (f: Fragment) => recorder.writeFragment(f);
      session.on('fragment', write);
      both.push(await cpuPercent(() => sleep(phaseSeconds * 1000)));
      session.off('fragment', write);
      recorder.close();
    }
    stopPreview();
  } finally {
    await session.disconnect();
    await board.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { preview_cpu_pct: round(mean(preview), 2), preview_and_record_cpu_pct: round(mean(both), 2), overhead_points: round(mean(both) - mean(preview), 2) };
}

function agentRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export interface RssResult {
  seconds: number;
  host_rss_mb: { start: number; end: number };
  agent_rss_mb: { start: number; end: number };
  /** growth from after a 30 s warm-up to the end */
  host_growth_pct: number;
  agent_growth_pct: number;
  frames: number;
}

export async function benchRss(seconds = 600): Promise<RssResult> {
  const board = await startSimulatedBoard({ build: false });
  const session = await connectBoard(board.portPath);
  let frames = 0;
  try {
    const clock = await estimateClockOffset(session);
    const stopPreview = previewing(session, clock);
    session.on('fragment', () => frames++);
    await session.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 1920, height: 1080, fps: 30, bitrateKbps: 8000 });
    await sleep(Math.min(30, seconds / 4) * 1000);
    global.gc?.();
    const host0 = process.memoryUsage().rss / 1e6;
    const agent0 = agentRssKb(board.process.pid!) / 1e3;
    await sleep(seconds * 1000);
    global.gc?.();
    const host1 = process.memoryUsage().rss / 1e6;
    const agent1 = agentRssKb(board.process.pid!) / 1e3;
    stopPreview();
    return {
      seconds,
      host_rss_mb: { start: round(host0, 2), end: round(host1, 2) },
      agent_rss_mb: { start: round(agent0, 2), end: round(agent1, 2) },
      host_growth_pct: round(((host1 - host0) / host0) * 100, 2),
      agent_growth_pct: round(((agent1 - agent0) / agent0) * 100, 2),
      frames,
    };
  } finally {
    await session.disconnect();
    await board.stop();
  }
}

if (require.main === module) {
  void (async () => {
    console.log(JSON.stringify(await benchRecordingOverhead(5, 1), null, 2));
    console.log(JSON.stringify(await benchRss(Number(process.argv[2] ?? 20)), null, 2));
  })();
}
