// A pseudo-terminal with something other than our agent behind it: it prints a MicroPython-like
// prompt now and then and never answers the protocol, as a board without the agent would.
import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

const HOLDER = `
import os, pty, select, tty
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
while True:
    ready, _, _ = select.select([master], [], [], 0.3)
    if ready:
        os.read(master, 65536)  # whatever the host sends goes unanswered
    else:
        os.write(master, b"\\r\\n>>> ")
`;

export interface SilentPort {
  path: string;
  stop(): void;
}

export async function startSilentPort(): Promise<SilentPort> {
  const child: ChildProcess = spawn('python3', ['-c', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const path = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
  });
  return { path, stop: () => child.kill('SIGKILL') };
}
