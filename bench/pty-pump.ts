// The baseline for link throughput: a plain byte pump on a pseudo-terminal whose master end one
// process serves (as the agent serves its own), read on the host by serialport, as a pull is.
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { openPort } from '../src/host/link/serial-port';

const PUMP = `
import os, pty, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
os.read(master, 1)  # the host is listening
with open(sys.argv[1], 'rb') as f:
    while True:
        chunk = f.read(128 * 1024)
        if not chunk:
            break
        view = memoryview(chunk)
        while view:
            view = view[os.write(master, view):]
sys.stdin.read()  # keep the master open until the host is done
`;

/** Bytes per second moving the file's bytes through a PTY with no protocol at all. */
export async function rawPtyThroughput(file: string, size: number): Promise<number> {
  const child = spawn('python3', ['-c', PUMP, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const slave = await new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
  const port = await openPort(slave);
  try {
    let got = 0;
    const done = new Promise<void>((resolve) =>
      port.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= size) resolve();
      }),
    );
    const started = performance.now();
    port.write(Buffer.from([1]));
    await done;
    return size / ((performance.now() - started) / 1000);
  } finally {
    await new Promise((r) => port.close(r));
    child.kill();
  }
}
