import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../shared/user-error';
import { recordStream } from '../host/recording/record-stream';
import { withBoard } from './with-board';
import { SETTINGS_OPTIONS, settingsFromOptions } from './stream-options';

export async function recordCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      frames: { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      ...SETTINGS_OPTIONS,
    },
  });
  if ((values.frames === undefined) === (values.seconds === undefined)) throw new UserError('record needs one of --frames N or --seconds S');
  const frames = values.frames !== undefined ? Number(values.frames) : undefined;
  const seconds = values.seconds !== undefined ? Number(values.seconds) : undefined;
  if (frames !== undefined && !(Number.isInteger(frames) && frames > 0)) throw new UserError(`--frames must be a positive integer (got "${values.frames}")`);
  if (seconds !== undefined && !(seconds > 0)) throw new UserError(`--seconds must be a positive number (got "${values.seconds}")`);
  const settings = settingsFromOptions(values);

  return withBoard(values.port, async (session) => {
    const r = await recordStream(session, settings, path.resolve(values.out ?? defaultName()), { frames, seconds });
    if (r.soundNotice) process.stderr.write(`k230live: ${r.soundNotice}\n`);
    if (values.json) {
      console.log(JSON.stringify(r));
    } else {
      console.log(
        `${r.path}: ${r.frames} frames, ${r.durationS.toFixed(2)} s, ${r.bytes} bytes, ${r.droppedByBoard} dropped, ` +
          `first frame on disk after ${Math.round(r.firstFrameMs)} ms`,
      );
      if (r.sound) console.log(`  sound: ${r.sound.codec}, ${r.sound.rate} Hz, ${r.sound.durationS.toFixed(2)} s in ${r.sound.chunks} chunks`);
    }
    if (r.interruption) {
      process.stderr.write(`k230live: recording stopped early: ${r.interruption}; the file holds ${r.frames} frames and plays\n`);
      return 1;
    }
    return 0;
  });
}

/** rec-YYYYMMDD-HHMMSS.mp4 in the current folder, as the board names its own recordings. */
function defaultName(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `rec-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.mp4`;
}
