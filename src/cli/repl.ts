// k230live repl: the board's friendly REPL on this terminal, keys straight to the board (Ctrl-C
// interrupts, Ctrl-D soft-resets, as on the board); Ctrl-] leaves and gives the port back.
import { parseArgs } from 'node:util';
import { openRepl } from '../host/board/open-repl';
import { UserError } from '../shared/user-error';

const LEAVE = 0x1d; // Ctrl-]

export async function replCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  if (!values.port) throw new UserError('repl needs --port PATH (see k230live ports)');
  const repl = await openRepl(values.port);
  process.stderr.write(`k230live: the REPL of ${values.port}; Ctrl-] leaves\n`);
  process.stdout.write(repl.greeting);
  await new Promise<void>((resolve) => {
    const onKeys = (keys: Buffer) => {
      const leave = keys.indexOf(LEAVE);
      if (leave >= 0) return resolve();
      repl.port.write(keys);
    };
    repl.port.on('data', (b: Buffer) => process.stdout.write(b));
    repl.port.once('close', () => resolve());
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.on('data', onKeys);
    process.stdin.once('end', () => resolve());
  });
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  await repl.close();
  process.stderr.write('\nk230live: left the REPL\n');
  return 0;
}
