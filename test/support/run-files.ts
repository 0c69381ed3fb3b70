// Runs test files one at a time, each owning everything it starts: a process group of its own,
// a time limit, and a mark in the environment of every process it starts. When a file ends (passed,
// failed, crashed or out of time), its group is killed and any process still carrying its mark (one
// that left the group, as Chromium and code-server do) is killed and reported: a leak fails the file.
//   node --import tsx test/support/run-files.ts [--limit SECONDS] FILE...
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { sleep } from './poll';

const MARK = 'K230LIVE_TEST_FILE';

function parseArgs(argv: string[]): { limitS: number; files: string[] } {
  let limitS = 300;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--limit') limitS = Number(argv[++i]);
    else files.push(argv[i]);
  }
  if (!(limitS > 0) || files.length === 0) {
    console.error('usage: run-files.ts [--limit SECONDS] FILE...');
    process.exit(2);
  }
  return { limitS, files };
}

/** Processes whose environment carries this file's mark (Linux /proc; elsewhere none are found). */
function markedProcesses(token: string): { pid: number; command: string }[] {
  const needle = Buffer.from(`${MARK}=${token}\0`);
  const found: { pid: number; command: string }[] = [];
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return found;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`).includes(needle)) continue;
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 120);
      found.push({ pid: Number(pid), command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is empty
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what the file left. Returns what was still alive 2 s after its group died: those leaked. */
async function reap(pgid: number, token: string): Promise<{ pid: number; command: string }[]> {
  killGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
  let left = markedProcesses(token);
  for (let i = 0; i < 20 && left.length; i++) {
    await sleep(100); // a process killed a moment ago by the file itself is still on its way out
    left = markedProcesses(token);
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left;
}

let current: { pgid: number; token: string } | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (current) void reap(current.pgid, current.token).finally(() => process.exit(1));
    else process.exit(1);
  });
}

async function runFile(file: string, limitS: number): Promise<boolean> {
  const token = randomUUID();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', file], {
    stdio: 'inherit',
    detached: true, // a process group of its own, with the child as its leader
    env: { ...process.env, [MARK]: token },
  });
  const pgid = child.pid!;
  current = { pgid, token };
  let timedOut = false;
  const limit = setTimeout(() => {
    timedOut = true;
    killGroup(pgid, 'SIGTERM');
    setTimeout(() => killGroup(pgid, 'SIGKILL'), 5000).unref();
  }, limitS * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(limit);
  const left = await reap(pgid, token);
  current = undefined;
  if (timedOut) console.error(`run-files: ${file} ran past its limit of ${limitS} s and was killed`);
  for (const p of left) console.error(`run-files: ${file} left process ${p.pid} running (${p.command}): killed`);
  return code === 0 && !timedOut && left.length === 0;
}

async function main(): Promise<void> {
  const { limitS, files } = parseArgs(process.argv.slice(2));
  const failed: string[] = [];
  for (const file of files) {
    const started = performance.now();
    const ok = await runFile(file, limitS);
    console.error(`run-files: ${ok ? 'ok  ' : 'FAIL'} ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    if (!ok) failed.push(file);
  }
  if (failed.length) {
    console.error(`run-files: ${failed.length} of ${files.length} file(s) failed: ${failed.join(' ')}`);
    process.exit(1);
  }
}

void main();
