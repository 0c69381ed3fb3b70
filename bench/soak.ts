// Soak: 1080p30 for a long time (30 minutes by default) with a recording on the host and one on
// the board at once. Reports frames lost on the link, frames the board dropped, sensor slots
// skipped, memory over time, and whether both files hold every frame their recorders counted.
// `npx tsx bench/soak.ts [minutes]` — on demand, not in CI.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectBoard } from '../src/host/board/connect';
import { Mp4Recorder } from '../src/host/recording/mp4-recorder';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { decodeErrors, probeVideo } from '../test/support/media';
import { sleep } from '../test/support/poll';
import { round } from './stats';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1000;

async function soak(minutes: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-soak-'));
  const sdcard = path.join(dir, 'sdcard');
  fs.mkdirSync(sdcard);
  const board = await startSimulatedBoard({ sdcard, build: false });
  const session = await connectBoard(board.portPath);
  const settings = { ...DEFAULT_STREAM_SETTINGS, width: 1920, height: 1080, fps: 30, bitrateKbps: 8000 };
  const hostFile = path.join(dir, 'host.mp4');
  const recorder = Mp4Recorder.create(hostFile, 30);
  let lostOnLink = 0;
  let skippedSlots = 0;
  let lastPts: bigint | undefined;
  let lastDropped = 0;
  session.on('init', (i) => recorder.writeInit(i));
  session.on('loss', (n) => {
    lostOnLink += n;
    recorder.markLoss();
  });
  session.on('fragment', (f) => {
    recorder.writeFragment(f);
    if (lastPts !== undefined && f.ptsUs - lastPts > 50_000n) skippedSlots += Math.round(Number(f.ptsUs - lastPts) / 33_333) - 1;
    lastPts = f.ptsUs;
    lastDropped = f.dropped;
  });
  const memory: { minute: number; host_mb: number; agent_mb: number }[] = [];
  await session.startStream(settings);
  await session.startBoardRecording('/sdcard/board.mp4', settings);
  for (let m = 0; m < minutes; m++) {
    await sleep(60_000);
    memory.push({ minute: m + 1, host_mb: Math.round(process.memoryUsage().rss / 1e5) / 10, agent_mb: round(rssMb(board.process.pid!)) });
    process.stderr.write(`soak: minute ${m + 1}: ${JSON.stringify(memory.at(-1))}, lost ${lostOnLink}, dropped ${lastDropped}, skipped ${skippedSlots}\n`);
  }
  const boardState = await session.stopBoardRecording();
  await session.stopStream();
  const hostSummary = recorder.close();
  await session.disconnect();
  await board.stop();
  const hostProbe = probeVideo(hostFile);
  const boardProbe = probeVideo(path.join(sdcard, 'board.mp4'));
  const result = {
    minutes,
    lost_on_link: lostOnLink,
    dropped_by_agent_live: lastDropped,
    sensor_slots_skipped_live: skippedSlots,
    host_file: { frames_written: hostSummary.frames, frames_in_file: hostProbe.frames, decode_errors: decodeErrors(hostFile) === '' ? 0 : 1 },
    board_file: { frames_counted: boardState.frames, frames_in_file: boardProbe.frames, dropped: boardState.dropped, decode_errors: decodeErrors(path.join(sdcard, 'board.mp4')) === '' ? 0 : 1 },
    memory,
  };
  console.log(JSON.stringify(result, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
}

void soak(Number(process.argv[2] ?? 30));
