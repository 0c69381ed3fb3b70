// k230live run: the user's script on the board, its output on stdout as it comes, stdin to its
// input(). With --record OUT.mp4, what the script shows on its display (the board's write-back,
// encoded by the board) goes into OUT.mp4 until the script ends. Exit status: 0 finished (or stopped
// by --seconds, as asked), 1 an uncaught exception (its traceback on stderr) or a recording that
// failed, 130 Ctrl-C.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { recordStream, RecordResult } from '../host/recording/record-stream';
import { describeEnding, ScriptRun } from '../host/script/script-run';
import { ScriptEnd, Source } from '../protocol/messages';
import { UserError } from '../shared/user-error';
import { SETTINGS_OPTIONS, settingsFromOptions } from './stream-options';
import { withBoard } from './with-board';

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' }, record: { type: 'string' }, ...SETTINGS_OPTIONS },
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
  const settings = { ...settingsFromOptions(values), source: Source.Display };
  const out = values.record === undefined ? undefined : path.resolve(values.record);
  return withBoard(values.port, async (session) => {
    // The display's stream is asked for first: it starts when the script's Display does.
    let ended!: () => void;
    const scriptEnded = new Promise<void>((resolve) => (ended = resolve));
    const recording = out === undefined ? undefined : recordStream(session, settings, out, { until: scriptEnded });
    recording?.catch(() => undefined); // its failure is told below, once the script has ended
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
      ended();
      const recorded = recording && (await told(recording, out!, path.basename(file)));
      if (values.json) process.stderr.write(`${JSON.stringify(recorded ? { ...r, recording: recorded } : r)}\n`);
      if (r.linkLost) throw new UserError(describeEnding(r));
      if (r.how === ScriptEnd.Exception) {
        process.stderr.write(r.traceback.endsWith('\n') ? r.traceback : `${r.traceback}\n`);
        return 1;
      }
      if (interrupted) return 130;
      if (r.how === ScriptEnd.Reset) process.stderr.write(`k230live: ${path.basename(file)} ${describeEnding(r)}\n`);
      return recording && !recorded?.frames ? 1 : 0;
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      process.stdin.off('data', onInput);
      process.stdin.pause();
    }
  });
}

/** The recording's outcome in a line on stderr; a file without a frame is not left behind. */
async function told(recording: Promise<RecordResult>, out: string, name: string): Promise<RecordResult | undefined> {
  try {
    const r = await recording;
    if (r.frames === 0) {
      fs.rmSync(out, { force: true });
      process.stderr.write(`k230live: ${name} showed no display (no Display.init with write-back), so nothing was recorded\n`);
    } else {
      process.stderr.write(`k230live: ${r.path}: ${r.frames} frames of the display, ${r.durationS.toFixed(2)} s, ${r.bytes} bytes\n`);
    }
    return r;
  } catch (e) {
    process.stderr.write(`k230live: the recording failed: ${(e as Error).message}\n`);
    return undefined;
  }
}
