// The preview's sound in headless Chromium, fed live by the simulated board: G.711 decoded in the
// page and scheduled through WebAudio against the picture. The offset between sound and picture is
// measured as the page sees them: the AudioContext's output time of each tone onset (the board's
// microphone marks each whole second) against requestVideoFrameCallback's display time of the frame
// the camera marked white at that second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedPage, openPlayerPage } from './harness';
import { connectBoard } from '../../src/host/board/connect';
import { estimateClockOffset } from '../../src/host/session/clock-sync';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { sleep } from '../support/poll';

test('sound and picture in the preview: every tone within 40 ms of its white frame, and the meter moves', async () => {
  const board = await startSimulatedBoard();
  const session = await connectBoard(board.portPath);
  const page = await openPlayerPage();
  try {
    feedPage(page, session, await estimateClockOffset(session));
    await session.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 });
    await page.page.waitForSelector('#mute:not([hidden])');
    assert.equal(await page.page.textContent('#mute'), 'Unmute', 'the preview starts muted, and says what a click does');
    // The meter moves while muted: it shows the sound, heard or not.
    const levels = new Set<string>();
    for (let i = 0; i < 40; i++) {
      levels.add((await page.page.getAttribute('[data-testid=level]', 'data-db')) ?? '');
      await sleep(50);
    }
    const dbs = [...levels].map(Number).filter(Number.isFinite);
    assert.ok(dbs.some((db) => db > -12) && dbs.some((db) => db < -60), `the meter shows the bursts and the silence (${[...levels].join(' ')})`);
    await page.page.click('#mute'); // a person's click: the page may now make sound
    assert.equal(await page.page.textContent('#mute'), 'Mute');
    await sleep(8000);
    await session.stopStream();
    const { scheduled, shown } = await page.page.evaluate(() => ({ scheduled: window.soundScheduled, shown: window.framesShown }));
    const offsets: number[] = [];
    for (const frame of shown.filter((f) => f.white)) {
      const onset = scheduled.find((c) => Math.abs(c.mediaTimeS - frame.mediaTimeS) < 0.001);
      if (onset) {
        assert.ok(onset.peakDb > -12, `the chunk at a white frame is a tone burst (${onset.peakDb.toFixed(1)} dBFS)`);
        offsets.push(onset.outputPerfMs - frame.displayPerfMs);
      }
    }
    console.log(`sound minus picture, ms, at each whole second: ${offsets.map((o) => o.toFixed(1)).join(' ')}; ${scheduled.length} chunks scheduled`);
    assert.ok(offsets.length >= 5, `at least 5 whole seconds both heard and seen (got ${offsets.length} of ${shown.filter((f) => f.white).length} white frames)`);
    const worst = Math.max(...offsets.map(Math.abs));
    assert.ok(worst <= 40, `sound within 40 ms of the picture at every second (worst ${worst.toFixed(1)} ms)`);
  } finally {
    await session.disconnect();
    await page.close();
    await board.stop();
  }
});
