// A link that ends, each way Linux ends one, reproduced on purpose through the fault proxy: the
// kernel's hang-up of the host's tty (TIOCVHANGUP, what cdc-acm does on unplug), the PTY closing
// while bytes flow (serialport's 0-byte loop), the device node vanishing, and silence. Each time:
// one line within 1 s (silence: within the keepalive's few seconds), the recording keeps every
// frame that arrived and decodes cleanly, nothing goes on spinning in the host or the agent, the
// agent serves again when its device comes back under the same name, and the host reconnects.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { connectBoard } from '../../src/host/board/connect';
import { recordStream } from '../../src/host/recording/record-stream';
import { DEFAULT_STREAM_SETTINGS } from '../../src/protocol/stream-settings';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { Fault, FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { decodeErrors, probeVideo } from '../support/media';
import { cpuSeconds } from '../support/process-cpu';
import { sleep } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-endings-'));
let proxy: FaultProxy;
let board: SimulatedBoard;

before(async () => {
  proxy = await startFaultProxy(path.join(dir, 'port'));
  board = await startSimulatedBoard({ device: proxy.agentPath });
});

after(async () => {
  await board?.stop();
  proxy?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SETTINGS = { ...DEFAULT_STREAM_SETTINGS, width: 640, height: 360 };
/** What the 10 s after an ending may cost, at most. Before the fix: ~65 % of a core and GBs. */
const HOST_CPU_MAX = 0.05; // measured 0.01-2.0 % (a GC of the recording's buffers after the first)
const HOST_RSS_GROWTH_MAX_MB = 16;
const AGENT_CPU_MAX = 0.05;

/** The host's and the agent's CPU (cores) and the host's RSS growth (MB) over a quiet stretch. */
async function costOver(ms: number): Promise<{ hostCpu: number; hostRssMb: number; agentCpu: number }> {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage().rss;
  const agent = cpuSeconds(board.process.pid!);
  await sleep(ms);
  const used = process.cpuUsage(cpu);
  return {
    hostCpu: (used.user + used.system) / 1e3 / ms,
    hostRssMb: (process.memoryUsage().rss - rss) / 2 ** 20,
    agentCpu: ((cpuSeconds(board.process.pid!) - agent) * 1000) / ms,
  };
}

const endings: { name: string; fault: Fault; reason: RegExp; noticeMs: number }[] = [
  {
    name: "the kernel hangs up the host's tty (TIOCVHANGUP, as cdc-acm on unplug)",
    fault: { kind: 'hangup', how: 'vhangup', board: true, seconds: 12 },
    reason: /^the board went away: \S+ closed \(hung up or unplugged\)$/,
    noticeMs: 1000,
  },
  {
    name: 'the PTY closes while bytes flow',
    fault: { kind: 'hangup', how: 'close', board: true, seconds: 12 },
    reason: /^the board went away: \S+ closed \(hung up or unplugged\)$/,
    noticeMs: 1000,
  },
  {
    name: "the host's device node vanishes while its tty stays open",
    fault: { kind: 'vanish', board: true, seconds: 12 },
    reason: /^the board went away: \S+ closed \(its device node is gone\)$/,
    noticeMs: 1000,
  },
  {
    name: 'the link goes silent',
    fault: { kind: 'silence', seconds: 12 },
    reason: /^the board stopped answering: nothing from \S+ for [4-6]\.\d s$/,
    noticeMs: 6000,
  },
];

for (const { name, fault, reason, noticeMs } of endings) {
  test(`${name}: one line, the recording keeps every frame, nothing spins, and the board serves again`, async () => {
    const s = await connectBoard(proxy.hostPath);
    const out = path.join(dir, `${fault.kind}-${(fault as { how?: string }).how ?? ''}.mp4`);
    let received = 0;
    s.on('fragment', () => received++);
    const closed = new Promise<{ why: string | undefined; atMs: number }>((r) => s.on('close', (why) => r({ why, atMs: performance.now() })));
    const recording = recordStream(s, SETTINGS, out, { seconds: 60 });
    await sleep(2000);
    const endedAtMs = performance.now();
    await proxy.inject(fault);
    const { why, atMs } = await closed;
    const result = await recording;

    assert.match(why ?? '', reason);
    assert.ok(atMs - endedAtMs <= noticeMs, `noticed ${Math.round(atMs - endedAtMs)} ms after the end`);
    assert.equal(result.interruption, why);
    const v = probeVideo(out);
    assert.ok(received >= 45, `frames before the end (${received})`);
    assert.equal(v.frames, received, 'every frame that arrived is in the file');
    assert.equal(decodeErrors(out), '');

    const cost = await costOver(10_000);
    const figures = `host ${(cost.hostCpu * 100).toFixed(2)} % of a core, RSS ${cost.hostRssMb.toFixed(1)} MB; agent ${(cost.agentCpu * 100).toFixed(2)} %`;
    console.log(`# ${name}: noticed in ${Math.round(atMs - endedAtMs)} ms; the 10 s after: ${figures}`);
    assert.ok(cost.hostCpu <= HOST_CPU_MAX, `host CPU after the end: ${figures}`);
    assert.ok(cost.hostRssMb <= HOST_RSS_GROWTH_MAX_MB, `host memory after the end: ${figures}`);
    if (fault.kind !== 'silence') assert.ok(cost.agentCpu <= AGENT_CPU_MAX, `agent CPU while alone: ${figures}`);

    // The cable is back (the board's device under the same name): connect again and stream from an IDR.
    let again = await connectBoard(proxy.hostPath).catch(() => undefined);
    for (let i = 0; !again && i < 40; i++) {
      await sleep(250);
      again = await connectBoard(proxy.hostPath).catch(() => undefined);
    }
    assert.ok(again, 'the host reconnects once the link is back');
    try {
      const seen: boolean[] = [];
      again.on('fragment', (f) => seen.push(f.keyframe));
      await again.startStream(SETTINGS);
      await sleep(1500);
      assert.ok(seen.length > 20 && seen[0], `streaming again from an IDR (${seen.length} fragments)`);
    } finally {
      await again.disconnect();
    }
    assert.equal(board.process.exitCode, null, 'the agent is still running');
  });
}
