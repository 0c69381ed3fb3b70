import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../host/errors';
import { recordStream } from '../host/record';
import { withBoard } from './board';
import { SETTINGS_OPTIONS, settingsFromOptions } from './settings';

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
  if (!values.out) throw new UserError('record needs --out FILE.mp4');
  if ((values.frames === undefined) === (values.seconds === undefined)) throw new UserError('record needs one of --frames N or --seconds S');
  const frames = values.frames !== undefined ? Number(values.frames) : undefined;
  const seconds = values.seconds !== undefined ? Number(values.seconds) : undefined;
  if (frames !== undefined && !(Number.isInteger(frames) && frames > 0)) throw new UserError(`--frames must be a positive integer (got "${values.frames}")`);
  if (seconds !== undefined && !(seconds > 0)) throw new UserError(`--seconds must be a positive number (got "${values.seconds}")`);
  const settings = settingsFromOptions(values);

  return withBoard(values.port, async (session) => {
    const r = await recordStream(session, settings, path.resolve(values.out!), { frames, seconds });
    if (values.json) {
      console.log(JSON.stringify(r));
    } else {
      console.log(
        `${r.path}: ${r.frames} frames, ${r.durationS.toFixed(2)} s, ${r.bytes} bytes, ${r.droppedByBoard} dropped, ` +
          `first frame on disk after ${Math.round(r.firstFrameMs)} ms`,
      );
    }
    if (r.interruption) {
      process.stderr.write(`k230live: recording stopped early: ${r.interruption}; the file holds ${r.frames} frames and plays\n`);
      return 1;
    }
    return 0;
  });
}
