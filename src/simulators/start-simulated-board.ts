// Starts the agent with its simulator backend on a pseudo-terminal it creates itself.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { projectRoot } from '../host/board/install-root';
import { UserError } from '../shared/user-error';

export interface SimulatedBoard {
  /** the PTY slave path to open as a serial port */
  portPath: string;
  process: ChildProcess;
  /** Ends the agent (SIGTERM) and waits for it. */
  stop(): Promise<void>;
}

export interface SimulatedBoardOptions {
  sdcard?: string;
  boardName?: string;
  /** build the agent first when its binary is missing or older than its sources */
  build?: boolean;
  /** the agent binary; default: device-agent/build/k230-agent of this project */
  agentPath?: string;
  /** a symlink to the PTY that keeps its path across agent restarts; portPath is then this */
  ptyLink?: string;
  /** serve this existing serial device instead of a PTY of the agent's own (e.g. a fault proxy) */
  device?: string;
  /** a stock CanMV board instead (src/simulators/stock-board/): MicroPython and its REPL, no agent until the host uploads one */
  stock?: boolean;
  /** the stock board's CanMV firmware version; default 1.7 */
  firmware?: string;
  /** a board without a microphone (the agent's simulator leaves its own out) */
  noMicrophone?: boolean;
}

/** Words of a line on a simulated board's stderr that report a fault; the others say what it does (a host gone, a device back). */
const FAULT = /\b(cannot|failed|lost|no memory|does not exist)\b/;

/** A line a simulated board wrote on its stderr, for a log that says who speaks: without the
 * program's own prefix ("agent: ", "k230-agent: "), and whether it is a fault. */
export function boardLogLine(line: string): { fault: boolean; text: string } {
  const text = line.trim().replace(/^(k230-)?agent: /, '');
  return { fault: FAULT.test(text), text };
}

export function agentBinary(root = projectRoot()): string {
  return path.join(root, 'device-agent', 'build', 'k230-agent');
}

export function buildAgent(root = projectRoot()): void {
  try {
    execFileSync('make', ['-s', '-C', path.join(root, 'device-agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim().split('\n').slice(-1)[0];
    throw new UserError(`building the agent failed (needs make, a C compiler, libx264-dev, libx265-dev): ${stderr}`);
  }
}

export async function startSimulatedBoard(options: SimulatedBoardOptions = {}): Promise<SimulatedBoard> {
  const root = projectRoot();
  if (options.build !== false && !options.agentPath) buildAgent(root);
  const args = options.device ? ['--device', options.device] : options.stock ? [] : ['--pty'];
  if (options.ptyLink) args.push('--pty-link', options.ptyLink);
  if (options.sdcard) args.push('--sdcard', options.sdcard);
  if (options.boardName) args.push('--board-name', options.boardName);
  if (options.noMicrophone) args.push('--no-microphone');
  const child = options.stock
    ? spawn(process.execPath, [path.join(root, 'dist', 'stock-board.js'), '--root', root, '--firmware', options.firmware ?? '1.7', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, // the extension host's execPath may be Electron's
      })
    : spawn(options.agentPath ?? agentBinary(root), ['--sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const portPath = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const m = /^(PTY|DEVICE) (\S+)$/.exec(line);
      if (m) resolve(options.ptyLink ?? m[2]);
      else reject(new UserError(`the agent printed "${line}" instead of where it serves`));
    });
    child.once('error', (e) => reject(new UserError(`cannot start the agent: ${e.message}`)));
    // 'close', not 'exit': only then has all the agent's stderr been read
    child.once('close', (code) => reject(new UserError(`the agent exited (${code}) before serving: ${stderr.trim()}`)));
  });
  return {
    portPath,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
