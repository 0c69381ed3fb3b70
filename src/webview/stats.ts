// Rolling one-second figures for the stats overlay.
import type { PlayerStats } from '../shared/panel';

const WINDOW_MS = 1000;

interface Sample {
  atMs: number;
  value: number;
}

class RollingWindow {
  private samples: Sample[] = [];
  add(atMs: number, value: number): void {
    this.samples.push({ atMs, value });
  }
  values(nowMs: number): number[] {
    const from = nowMs - WINDOW_MS;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop].atMs < from) drop++;
    if (drop) this.samples = this.samples.slice(drop);
    return this.samples.map((s) => s.value);
  }
}

export class StatsCollector {
  private readonly presented = new RollingWindow();
  private readonly received = new RollingWindow();
  private readonly latency = new RollingWindow();
  receivedFrames = 0;
  boardDropped = 0;

  onReceived(nowMs: number, bytes: number, boardDropped: number): void {
    this.received.add(nowMs, bytes);
    this.receivedFrames++;
    this.boardDropped = boardDropped;
  }

  onPresented(nowMs: number, latencyMs: number | undefined): void {
    this.presented.add(nowMs, 1);
    if (latencyMs !== undefined) this.latency.add(nowMs, latencyMs);
  }

  reset(): void {
    this.receivedFrames = 0;
    this.boardDropped = 0;
  }

  snapshot(nowMs: number, path: PlayerStats['path'], playback: { decoded: number; dropped: number; skipped: number; bufferMs: number }): PlayerStats {
    const latencies = this.latency.values(nowMs).sort((a, b) => a - b);
    return {
      path,
      fps: this.presented.values(nowMs).length,
      bitrateKbps: Math.round((this.received.values(nowMs).reduce((a, b) => a + b, 0) * 8) / 1000),
      latencyP50Ms: latencies.length ? Math.round(latencies[Math.floor(latencies.length / 2)]) : null,
      latencyMaxMs: latencies.length ? Math.round(latencies[latencies.length - 1]) : null,
      lostFrames: this.boardDropped + playback.skipped,
      unshownFrames: playback.dropped,
      bufferMs: Math.round(playback.bufferMs),
      decodedFrames: playback.decoded,
      skippedFrames: playback.skipped,
      receivedFrames: this.receivedFrames,
    };
  }
}
