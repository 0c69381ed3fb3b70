// The preview's stats overlay counts two kinds of missing frames apart: those that never reached
// the decoder, and those decoded but never on screen (issue 24: one "dropped" read as half the video lost).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatsCollector } from '../../src/webview/stats';

test('frames the board dropped and frames passed over to stay live are lost; frames decoded but not drawn are not shown', () => {
  const stats = new StatsCollector();
  for (let i = 0; i < 100; i++) stats.onReceived(i * 33, 10_000, i < 50 ? 0 : 3); // the board dropped 3 on the way
  const s = stats.snapshot(3300, 'webcodecs', { decoded: 95, dropped: 4, skipped: 5, bufferMs: 0 });
  assert.equal(s.lostFrames, 3 + 5, "the board's drops and the player's skips: never decoded");
  assert.equal(s.unshownFrames, 4, 'decoded, never on screen');
  assert.equal(s.receivedFrames, 100);
  assert.equal(s.decodedFrames, 95);
});

test('a new stream counts from zero', () => {
  const stats = new StatsCollector();
  stats.onReceived(0, 1000, 7);
  stats.reset();
  stats.onReceived(10, 1000, 0);
  assert.equal(stats.snapshot(20, 'mse', { decoded: 1, dropped: 0, skipped: 0, bufferMs: 0 }).lostFrames, 0);
});
