// The agent's CPU when nobody is there: on its own PTY that no host has open, and on a --device
// that hung up and vanished (it waits for the path to come back). Target: at most 1 % of a core.
// `npx tsx bench/agent-idle.ts [seconds]`
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { cpuSeconds } from '../test/support/process-cpu';
import { sleep } from '../test/support/poll';

export interface AgentIdleResult {
  seconds: number;
  /** % of one core */
  no_host_pct: number;
  no_device_pct: number;
}

async function percentOver(pid: number, seconds: number): Promise<number> {
  const before = cpuSeconds(pid);
  await sleep(seconds * 1000);
  return Math.round(((cpuSeconds(pid) - before) / seconds) * 10000) / 100;
}

/** A PTY pair held by a helper, its slave behind `link`, until the helper's stdin closes. */
async function ptyBehind(link: string): Promise<ChildProcess> {
  const holder = spawn('python3', ['-c', `
import os, pty, sys, tty
m, s = pty.openpty()
tty.setraw(s)
os.symlink(os.ttyname(s), sys.argv[1])
print('READY', flush=True)
sys.stdin.read()
`, link], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve) => readline.createInterface({ input: holder.stdout! }).once('line', resolve));
  return holder;
}

export async function benchAgentIdle(seconds = 10): Promise<AgentIdleResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-idle-'));
  const alone = await startSimulatedBoard({ build: false });
  const link = path.join(dir, 'ttyUSB1');
  const holder = await ptyBehind(link);
  const unplugged = await startSimulatedBoard({ device: link, build: false });
  try {
    holder.stdin!.end(); // the PTY closes: the agent's device hangs up
    await new Promise((r) => holder.once('exit', r));
    fs.rmSync(link, { force: true }); // and its node is gone
    await sleep(500);
    const [noHost, noDevice] = await Promise.all([percentOver(alone.process.pid!, seconds), percentOver(unplugged.process.pid!, seconds)]);
    return { seconds, no_host_pct: noHost, no_device_pct: noDevice };
  } finally {
    await Promise.all([alone.stop(), unplugged.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchAgentIdle(Number(process.argv[2]) || 10).then((r) => console.log(JSON.stringify(r, null, 2)));
}
