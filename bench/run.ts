// npm run bench: every figure of docs/performance.md, each beside its baseline from the same run,
// into bench/results/latest.json. Durations follow the issue; BENCH_QUICK=1 shortens them for a try.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchAgentIdle } from './agent-idle';
import { benchAgentInstructions } from './agent-instructions';
import { benchDisplay } from './display';
import { benchRecordingOverhead, benchRss } from './host-cost';
import { benchIngest } from './ingest';
import { benchLatency } from './player-latency';
import { benchPull } from './pull-throughput';
import { benchScripts } from './scripts';
import { benchSoundCost, benchSoundLatency } from './sound';
import { benchStockAgent } from './stock-agent';
import { benchStreamServer } from './stream-server';

const quick = process.env.BENCH_QUICK === '1';

async function main(): Promise<void> {
  const started = new Date();
  const step = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    process.stderr.write(`bench: ${name}...\n`);
    const t = performance.now();
    const r = await run();
    process.stderr.write(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
    return r;
  };
  const latency = await step('latency and time to first frame (Chromium)', () => benchLatency(quick ? 10 : 60, quick ? 3 : 10));
  const stockLatency = await step('latency and time to first frame, the stock board (Chromium)', () =>
    benchLatency(quick ? 10 : 60, quick ? 3 : 10, 'stock'));
  const ingest = await step('host ingest vs plain copy', () => benchIngest(quick ? 64 : 256));
  const pull = await step('pull vs raw PTY', () => benchPull(quick ? 32 : 256, 3));
  const instructions = await step('agent instructions per byte (callgrind)', () => benchAgentInstructions(quick ? 3 : 10));
  const recording = await step('host CPU: recording vs previewing', () => benchRecordingOverhead(quick ? 5 : 15, 2));
  const idle = await step('agent CPU with no host and with no device', () => benchAgentIdle(quick ? 10 : 30));
  const stockAgent = await step('the MicroPython agent beside the C agent', () => benchStockAgent(quick ? 5 : 10, quick ? 1 : 3));
  const soundCost = await step('CPU with and without sound', () => benchSoundCost(quick ? 5 : 10, 2));
  const soundLatency = await step('sound: capture to speaker beside capture to screen (Chromium)', () => benchSoundLatency(quick ? 6 : 20));
  const stockSoundLatency = await step('sound: capture to speaker beside capture to screen, the stock board (Chromium)', () =>
    benchSoundLatency(quick ? 6 : 20, 'stock'));
  const streamServer = await step('capture to decoded by ffmpeg over RTSP and HTTP, beside the preview', () => benchStreamServer(quick ? 8 : 30));
  const scripts = await step('the user\'s script: through the agent beside the raw REPL', () => benchScripts(quick ? 1 : 3));
  // Run again once if its board goes away: seen once in a fresh clone's run beside two other test
  // runs on 2 cores (the stock board's port hung up mid-step); said on stderr, never hidden.
  const display = await step('a script\'s display as H.264, beside the camera and JPEG', () =>
    benchDisplay(quick ? 3 : 10).catch((e: Error) => {
      process.stderr.write(`bench: the display step failed (${e.message}); running it again\n`);
      return benchDisplay(quick ? 3 : 10);
    }),
  );
  const rss = await step('memory over a long 1080p30 stream', () => benchRss(Number(process.env.BENCH_RSS_SECONDS ?? (quick ? 30 : 600))));

  const results = {
    date: started.toISOString(),
    machine: { cpus: require('node:os').cpus().length, node: process.version },
    latency_ms: latency.latency_ms,
    link_latency_ms: latency.link_latency_ms,
    ttff_ms: latency.ttff_ms,
    ingest,
    pull_ratio: pull.pull_ratio,
    pull,
    agent_instr_per_byte: instructions.instr_per_byte,
    agent_instructions: instructions,
    agent_idle_cpu_pct: idle,
    rss_growth_pct: { host: rss.host_growth_pct, agent: rss.agent_growth_pct },
    rss,
    recording_overhead: recording,
    stock_agent: stockAgent,
    sound: { cost: soundCost, latency: soundLatency },
    stream_server: streamServer,
    scripts,
    display,
    latency_details: latency,
    // The steps that apply to both simulated boards, on the stock CanMV firmware's with the uploaded
    // MicroPython agent (above: the C agent's). The stream server's is the C agent's alone
    // (bench/stream-server.ts says why); the pull's compares the C agent's PTY with a raw one.
    stock_board: {
      latency_ms: stockLatency.latency_ms,
      link_latency_ms: stockLatency.link_latency_ms,
      ttff_ms: stockLatency.ttff_ms,
      sound_latency: stockSoundLatency,
      latency_details: stockLatency,
    },
    targets: {
      latency_p50_ms: 50, latency_p95_ms: 100, ttff_ms: 400, ingest_mbps: 100, pull_ratio: 0.9, agent_instr_per_byte: 8, rss_growth_pct: 5, agent_idle_cpu_pct: 1,
    },
  };
  const out = path.join(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

void main();
