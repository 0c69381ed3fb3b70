// k230live run: the user's script on the board, its output on stdout as it comes, stdin to its
// input(). Exit status: 0 finished (or stopped by --seconds, as asked), 1 an uncaught exception
// (its traceback on stderr), 130 Ctrl-C.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeEnding, ScriptRun } from '../host/script/script-run';
import { ScriptEnd } from '../protocol/messages';
import { UserError } from '../shared/user-error';
import { withBoard } from './with-board';

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file) throw new UserError('run needs a MicroPython file, e.g. k230live run --port PATH hello.py');
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0)) throw new UserError(`--seconds ${values.seconds} is not a positive number`);
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return withBoard(values.port, async (session) => {
    const run = await ScriptRun.start(session, path.basename(file), source, {
      output: (text) => process.stdout.write(text),
      lost: (bytes) => process.stderr.write(`\nk230live: ${bytes} bytes of the script's output were lost on the board (it printed faster than the link carries)\n`),
    });
    const onInput = (chunk: Buffer) => void run.input(chunk.toString('utf8')).catch(() => undefined);
    process.stdin.on('data', onInput);
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      void run.stop();
    };
    process.on('SIGINT', onSigint);
    const timer = seconds === undefined ? undefined : setTimeout(() => void run.stop(), seconds * 1000);
    try {
      const r = await run.ended;
      if (values.json) process.stderr.write(`${JSON.stringify(r)}\n`);
      if (r.linkLost) throw new UserError(describeEnding(r));
      if (r.how === ScriptEnd.Exception) {
        process.stderr.write(r.traceback.endsWith('\n') ? r.traceback : `${r.traceback}\n`);
        return 1;
      }
      if (interrupted) return 130;
      if (r.how === ScriptEnd.Reset) process.stderr.write(`k230live: ${path.basename(file)} ${describeEnding(r)}\n`);
      return 0;
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      process.stdin.off('data', onInput);
      process.stdin.pause();
    }
  });
}
