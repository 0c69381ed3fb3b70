// k230live: the command line over src/host. Every failure is one line on stderr and a non-zero exit.
import { UserError } from '../shared/user-error';
import { boardRecordCommand } from './board-record';
import { convertCommand } from './convert';
import { dfCommand } from './df';
import { inspectCommand } from './inspect';
import { lsCommand } from './ls';
import { portsCommand } from './ports';
import { pullCommand } from './pull';
import { pushCommand } from './push';
import { rmCommand } from './rm';
import { recordCommand } from './record';
import { replCommand } from './repl';
import { runCommand } from './run';
import { settingsUsage } from './stream-options';
import { serveCommand } from './serve';
import { simCommand } from './sim';

const USAGE = `usage: k230live <command> [options]
  ports                               list serial ports; CanMV K230 boards (USB 1209:abd1) are marked
  sim [--sdcard DIR] [--no-microphone] [--stock [--firmware 1.7]]   start a simulated board (--stock: stock CanMV firmware, no agent) and print its port path
  record --port PATH (--frames N | --seconds S) [--out FILE] [stream options]
         ${settingsUsage()}
  serve --port PATH [--rtsp 8554] [--http 8080] [--listen 127.0.0.1] [stream options]
                                      the board's stream for other programs (OBS, VLC, ffmpeg, GStreamer, OpenCV):
                                      rtsp://127.0.0.1:8554/k230 and http://127.0.0.1:8080/k230.mp4 (pictures and sound),
                                      rtsp://127.0.0.1:8554/k230-video and http://127.0.0.1:8080/k230-video.mp4
                                      (pictures only), until Ctrl-C
  run --port PATH FILE.py [--seconds S] [--record OUT.mp4]
                                      run a MicroPython script on a stock CanMV board: its output here,
                                      stdin to its input(); --record: what it shows on its display, as the
                                      board's H.264, into OUT.mp4; exit 0 finished, 1 exception, 130 Ctrl-C
  repl --port PATH                    the board's MicroPython REPL on this terminal (Ctrl-] leaves)
  push --port PATH LOCAL [REMOTE]     copy a file to the board (default /sdcard/NAME): resumable, verified by SHA-256
  ls --port PATH [DIR]                list a folder of the board's storage (default /sdcard)
  pull --port PATH REMOTE [LOCAL]     copy a file from the board: resumable, verified by SHA-256
  rm --port PATH REMOTE               delete a file on the board
  df --port PATH                      free and total space of the board's storage
  board-record --port PATH start [--out /sdcard/NAME.mp4] [stream options as for record]
  board-record --port PATH stop | status
  convert IN OUT.mp4 [--fps F] [--faststart]
                                      raw .264/.265 into an MP4 (fps from the stream, else --fps), or a
                                      fragmented MP4 into a moov-first one; never re-encoded
  inspect FILE.mp4                    tracks (picture and sound), codecs, frames, keyframes, duration, gaps, moov/mdat layout
  Most commands take --json for scripts.`;


async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const commands: Record<string, (args: string[]) => Promise<number>> = {
    ports: portsCommand,
    sim: simCommand,
    record: recordCommand,
    serve: serveCommand,
    convert: convertCommand,
    inspect: inspectCommand,
    ls: lsCommand,
    pull: pullCommand,
    push: pushCommand,
    run: runCommand,
    repl: replCommand,
    rm: rmCommand,
    df: dfCommand,
    'board-record': boardRecordCommand,
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
