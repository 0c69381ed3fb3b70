// A pseudo-terminal with something other than our agent behind it, as a board without the agent
// might be: either it answers whatever the host sends with a MicroPython-like prompt (never with
// the protocol, never with a banner), or it reads and says nothing. It answers on input, not on a
// timer, so the probe sees the same thing whatever the machine's load (an idle-timer prompt once
// raced the probe's 300 ms wait in CI).
import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

const HOLDER = `
import os, pty, select, sys, tty
answer = sys.argv[1] == "prompt"
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
while True:
    select.select([master], [], [])
    os.read(master, 65536)
    if answer:
        os.write(master, b"\\r\\n>>> ")
`;

export interface ForeignPort {
  path: string;
  stop(): void;
}

export async function startForeignPort(behaviour: 'prompt' | 'silent'): Promise<ForeignPort> {
  const child: ChildProcess = spawn('python3', ['-c', HOLDER, behaviour], { stdio: ['ignore', 'pipe', 'inherit'] });
  const path = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
  });
  return { path, stop: () => child.kill('SIGKILL') };
}
