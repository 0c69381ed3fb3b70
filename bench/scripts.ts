// The user's script on the simulated stock board, through K230 Live's agent, beside the same script
// on the firmware's own raw REPL in the same run (its plain stdout: what the official tools read,
// before their own 500 ms wait after SCRIPT_EXEC and their 100 ms polling of the output):
// - Run → first line: `k230live run` from a board at its REPL, the agent's upload included;
// - print → host: each line stamped with the board's wall clock (time.time_ns, 1 ms steps in the
//   VM) against the host's on arrival; both run on this machine, so the clocks are one;
// - the most output per second carried with nothing lost;
// - Stop → board ready: from Stop to the script's end and a ping answered.
// `npx tsx bench/scripts.ts [rounds]`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectBoard } from '../src/host/board/connect';
import { openPort } from '../src/host/link/serial-port';
import { ScriptRun } from '../src/host/script/script-run';
import { startSimulatedBoard, type SimulatedBoard } from '../src/simulators/start-simulated-board';
import { CLI } from '../test/support/cli';
import { median, percentiles, round, type Percentiles } from './stats';

export interface ScriptsResult {
  run_to_first_line_ms: { agent: number; raw_repl: number };
  print_to_host_ms: { agent: Percentiles; raw_repl: Percentiles };
  output_mb_s: { agent: number; raw_repl: number; lost_lines: number };
  stop_to_ready_ms: { sleeping: number; ctrl_c_off: number };
}

const STAMPED = 'import time\nfor i in range(200):\n    print(time.time_ns() // 1000)\n    time.sleep_ms(20)\n';
const FLOOD_LINES = 50_000;
const FLOOD = `for i in range(${FLOOD_LINES}):\n    print("line %06d abcdefghij" % i)\n`;

async function withBoard<T>(run: (board: SimulatedBoard) => Promise<T>): Promise<T> {
  const board = await startSimulatedBoard({ stock: true, build: false });
  try {
    return await run(board);
  } finally {
    await board.stop();
  }
}

/** `k230live run` on a board at its REPL: ms from the command to its first byte of output. */
async function runToFirstLine(board: SimulatedBoard, file: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', '--port', board.portPath, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<number>((resolve) => child.stdout.once('data', () => resolve(performance.now() - started)));
  await new Promise((resolve) => child.on('close', resolve));
  return first;
}

/** The firmware's raw REPL without the agent: the code runs, its stdout comes raw; `onOutput` gets it as it comes. */
async function rawRepl(board: SimulatedBoard, code: string, onOutput: (text: string) => void): Promise<number> {
  const port = await openPort(board.portPath);
  let seen = '';
  let phase: 'prompt' | 'sent' | 'output' | 'done' = 'prompt';
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  const take = (text: string) => {
    const end = text.indexOf('\x04');
    if (end !== 0) onOutput(end >= 0 ? text.slice(0, end) : text);
    if (end >= 0) {
      phase = 'done';
      done();
    }
  };
  port.on('data', (b: Buffer) => {
    const text = b.toString('latin1');
    seen += text;
    if (phase === 'output') return take(text);
    if (phase === 'sent') {
      const ok = seen.indexOf('OK');
      if (ok < 0) return;
      phase = 'output';
      take(seen.slice(ok + 2));
    }
  });
  port.write('\r\x03\x03\x01');
  while (!seen.includes('raw REPL; CTRL-B to exit\r\n>')) await new Promise((r) => setTimeout(r, 10));
  seen = '';
  phase = 'sent';
  const started = performance.now();
  port.write(code);
  port.write('\x04');
  await ended;
  const ms = performance.now() - started;
  port.write('\x02'); // back to the friendly REPL for the next
  await new Promise((r) => setTimeout(r, 100));
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return ms;
}

/** Milliseconds from each stamped line's print to its arrival here. */
function stampedLatencies(): { take: (text: string) => void; latencies: number[] } {
  let pending = '';
  const latencies: number[] = [];
  return {
    latencies,
    take(text) {
      const arrivedUs = Date.now() * 1000;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (/^\d+\r?$/.test(l)) latencies.push((arrivedUs - Number(l.trim())) / 1000);
    },
  };
}

export async function benchScripts(rounds = 3): Promise<ScriptsResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-scripts-'));
  const hello = path.join(dir, 'hello.py');
  fs.writeFileSync(hello, 'print("hello")\n');
  try {
    const firstAgent: number[] = [];
    const firstRaw: number[] = [];
    for (let i = 0; i < rounds; i++) {
      firstAgent.push(await withBoard((b) => runToFirstLine(b, hello)));
      firstRaw.push(await withBoard(async (b) => {
        let first = NaN;
        const started = performance.now();
        await rawRepl(b, 'print("hello")\n', () => (first = Number.isNaN(first) ? performance.now() - started : first));
        return first;
      }));
    }

    return await withBoard(async (board) => {
      const rawStamps = stampedLatencies();
      await rawRepl(board, STAMPED, rawStamps.take);
      let rawBytes = 0;
      const rawMs = await rawRepl(board, FLOOD, (t) => (rawBytes += t.length));

      const session = await connectBoard(board.portPath);
      try {
        const agentStamps = stampedLatencies();
        await (await ScriptRun.start(session, 'stamped.py', STAMPED, { output: agentStamps.take })).ended;

        let printed = '';
        const t0 = performance.now();
        await (await ScriptRun.start(session, 'flood.py', FLOOD, { output: (t) => (printed += t) })).ended;
        const agentMs = performance.now() - t0;
        const lines = printed.split('\n').slice(0, -1);
        const lost = FLOOD_LINES - lines.filter((l, i) => l === `line ${String(i).padStart(6, '0')} abcdefghij`).length;

        const stopToReady = async (name: string, code: string) => {
          let out = '';
          const run = await ScriptRun.start(session, name, code, { output: (t) => (out += t) });
          while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 10));
          const t = performance.now();
          await run.stop();
          // ended by force, the board soft-resets: ready once the agent is up again
          if (session.isClosed) await new Promise((r) => setTimeout(r, 500));
          const ready = session.isClosed ? await connectBoard(board.portPath) : session;
          await ready.ping();
          const ms = performance.now() - t;
          if (ready !== session) await ready.release();
          return ms;
        };
        const sleeping = await stopToReady('sleeping.py', 'import time\nwhile True:\n    print("z")\n    time.sleep(1)\n');
        const ctrlCOff = await stopToReady('stubborn.py', 'import micropython, time\nmicropython.kbd_intr(-1)\nwhile True:\n    try:\n        print("z")\n        time.sleep(1)\n    except KeyboardInterrupt:\n        pass\n');
        return {
          run_to_first_line_ms: { agent: round(median(firstAgent)), raw_repl: round(median(firstRaw)) },
          print_to_host_ms: { agent: percentiles(agentStamps.latencies), raw_repl: percentiles(rawStamps.latencies) },
          output_mb_s: { agent: round(printed.length / agentMs / 1000, 2), raw_repl: round(rawBytes / rawMs / 1000, 2), lost_lines: lost },
          stop_to_ready_ms: { sleeping: round(sleeping), ctrl_c_off: round(ctrlCOff) },
        };
      } finally {
        if (!session.isClosed) await session.release();
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchScripts(Number(process.argv[2] ?? 3)).then((r) => console.log(JSON.stringify(r, null, 2)));
}
