// The player module in headless Chromium, fed live by the simulated board through the host library.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChromiumPage, openPlayerPage } from './harness';
import { connectBoard } from '../../src/host/connect';
import { estimateClockOffset } from '../../src/host/clock-sync';
import { toFragmentMessage, toInitMessage } from '../../src/host/preview-feed';
import { DEFAULT_SETTINGS } from '../../src/host/session';
import { startSimulatedBoard } from '../../src/host/simulated-board';
import { percentile } from '../support/percentile';

test('Chromium decodes at least 95% of the frames sent over 10 s at 720p30, with latency printed', async () => {
  const board = await startSimulatedBoard();
  let page: ChromiumPage | undefined;
  const session = await connectBoard(board.portPath);
  try {
    page = await openPlayerPage();
    const clock = await estimateClockOffset(session);
    let sent = 0;
    let startedAtMs = 0;
    session.on('init', (init) => page!.deliver(toInitMessage(init)));
    session.on('fragment', (f) => {
      sent++;
      page!.deliver(toFragmentMessage(f, clock));
    });
    startedAtMs = performance.timeOrigin + performance.now();
    await session.startStream({ ...DEFAULT_SETTINGS, width: 1280, height: 720, fps: 30 });
    await new Promise((r) => setTimeout(r, 10_000));
    await session.stopStream();
    await new Promise((r) => setTimeout(r, 1500)); // the last fragments reach the screen, stats refresh
    const result = await page.results();

    const lat = result.latencies;
    console.log(
      `browser player: sent ${sent}, decoded ${result.stats.decodedFrames} (${((100 * result.stats.decodedFrames) / sent).toFixed(1)}%), ` +
        `path ${result.stats.path}, latency ms p50 ${percentile(lat, 50).toFixed(1)} p95 ${percentile(lat, 95).toFixed(1)} ` +
        `max ${Math.max(...lat).toFixed(1)} (clock offset rtt ${Number(clock.rttUs) / 1000} ms), ` +
        `time to first frame ${(result.firstFrameAtMs! - startedAtMs).toFixed(0)} ms`,
    );
    assert.ok(sent >= 290, `the board sent about 300 frames (got ${sent})`);
    assert.equal(result.stats.path, 'mse');
    assert.ok(result.stats.decodedFrames >= 0.95 * sent, `decoded ${result.stats.decodedFrames} of ${sent}`);
    assert.ok(lat.length >= 0.9 * sent, `a latency for most presented frames (got ${lat.length})`);
  } finally {
    await session.disconnect();
    await page?.close();
    await board.stop();
  }
});
