// k230live: the command line over src/host. Every failure is one line on stderr and a non-zero exit.
import { UserError } from '../host/errors';
import { portsCommand } from './ports';
import { recordCommand } from './record';
import { simCommand } from './sim';

const USAGE = `usage: k230live <command> [options]
  ports                               list serial ports; CanMV K230 boards (USB 1209:abd1) are marked
  sim [--sdcard DIR]                  start a simulated board and print its port path
  record --port PATH (--frames N | --seconds S) --out FILE
         [--width 1280 --height 720 --fps 30 --bitrate-kbps 4000 --codec h264|h265 --gop 30
          --profile baseline|main|high]`;


async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const commands: Record<string, (args: string[]) => Promise<number>> = {
    ports: portsCommand,
    sim: simCommand,
    record: recordCommand,
  };
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) throw new UserError(`unknown command "${command}" (try k230live --help)`);
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof UserError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`k230live: ${known ? (e as Error).message : `internal error: ${(e as Error)?.stack ?? e}`}\n`);
    process.exit(known ? 1 : 70);
  },
);
