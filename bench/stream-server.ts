// Capture on the board to a picture decoded by ffmpeg, through the stream server's RTSP and HTTP,
// beside capture to the screen in the preview (Chromium), in the same run on one board.
// The simulated camera whitens its corner block on the frame of each whole second of the board
// clock (sim_marks.h): ffmpeg hands us each decoded corner as raw grey, and the moment a white one
// arrives, less that second mapped onto the host's clock, is the latency. ffmpeg runs as a
// low-latency client would: no input buffering, low_delay, one decoding thread.
// The C agent's board only: its clock is the camera's (CLOCK_MONOTONIC), on whose whole seconds the
// marks fall, while the MicroPython agent's clock counts from its own start. The server is the
// host's, the same for both boards; the stock board's link is in bench/player-latency.ts --stock.
import { spawn } from 'node:child_process';
import { feedPage, openPlayerPage } from '../test/browser/harness';
import { boardToHostMs, estimateClockOffset, type ClockOffset } from '../src/host/session/clock-sync';
import { connectBoard } from '../src/host/board/connect';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { shareStream } from '../src/host/stream-server/share';
import { AudioCodec } from '../src/protocol/messages';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { sleep } from '../test/support/poll';
import { percentiles, type Percentiles } from './stats';

const BLOCK = 64 * 64;

/** ffmpeg decoding `url` until stopped: the latency of each whole second's white frame, ms. */
function ffmpegLatencies(url: string, clock: ClockOffset): { latencies: number[]; stop(): void } {
  const input = url.startsWith('rtsp:') ? ['-rtsp_transport', 'tcp'] : [];
  const child = spawn('ffmpeg', [
    '-nostdin', '-v', 'error', '-fflags', 'nobuffer', '-flags', 'low_delay', '-threads', '1', ...input, '-i', url,
    '-map', '0:v:0', '-vf', 'crop=64:64:0:0,format=gray', '-f', 'rawvideo', '-flush_packets', '1', '-',
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
  const latencies: number[] = [];
  let pending = Buffer.alloc(0);
  let wasWhite = false;
  child.stdout.on('data', (d: Buffer) => {
    const now = performance.timeOrigin + performance.now();
    pending = Buffer.concat([pending, d]);
    for (; pending.length >= BLOCK; pending = pending.subarray(BLOCK)) {
      let sum = 0;
      for (let i = 0; i < BLOCK; i += 64) sum += pending[i];
      const white = sum / (BLOCK / 64) > 128;
      // The frame of a whole second: its capture is that second of the board clock.
      if (white && !wasWhite) latencies.push(now - secondOnHostMs(now, clock));
      wasWhite = white;
    }
  });
  return { latencies, stop: () => child.kill('SIGKILL') };
}

/** The whole second of the board clock just before `hostMs`, on the host's wall clock (ms). */
function secondOnHostMs(hostMs: number, clock: ClockOffset): number {
  const boardNowUs = BigInt(Math.round(hostMs * 1000)) - clock.offsetUs;
  return boardToHostMs((boardNowUs / 1_000_000n) * 1_000_000n, clock);
}

export interface StreamServerLatencyResult {
  seconds: number;
  /** capture -> decoded by ffmpeg, through RTSP (TCP interleaved) */
  rtsp_ms: Percentiles;
  /** capture -> decoded by ffmpeg, through HTTP (live fMP4) */
  http_ms: Percentiles;
  /** capture -> on screen in the preview (requestVideoFrameCallback), the same stream */
  preview_ms: Percentiles;
}

export async function benchStreamServer(seconds = 20): Promise<StreamServerLatencyResult> {
  const board = await startSimulatedBoard({ build: false });
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  const clock = await estimateClockOffset(session, 16);
  const shared = await shareStream(session, { rtspPort: 0, httpPort: 0, listen: '127.0.0.1', clock });
  try {
    feedPage(page, session, clock); // the stream has no sound
    await session.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720, audio: AudioCodec.Off, audioRate: 0 });
    const rtsp = ffmpegLatencies(shared.urls.rtsp!, clock);
    const http = ffmpegLatencies(shared.urls.http!, clock);
    await sleep(2000);
    rtsp.latencies.length = http.latencies.length = 0;
    await page.page.evaluate(() => (window.latencies = []));
    await sleep(seconds * 1000);
    rtsp.stop();
    http.stop();
    const preview = await page.page.evaluate(() => window.latencies);
    return { seconds, rtsp_ms: percentiles(rtsp.latencies), http_ms: percentiles(http.latencies), preview_ms: percentiles(preview) };
  } finally {
    await shared.close();
    await session.disconnect();
    await page.close();
    await board.stop();
  }
}

if (require.main === module) {
  void benchStreamServer(Number(process.argv[2] ?? 20) || 20).then((r) => console.log(JSON.stringify(r, null, 2)));
}
