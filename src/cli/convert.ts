// k230live convert: a raw .264/.265 into an MP4, or a fragmented recording (pictures and sound) into a moov-first
// MP4; never re-encoded.
import { parseArgs } from 'node:util';
import { Logging, LogLevel } from 'mediabunny';
import { UserError } from '../shared/user-error';
import { convertRawToMp4, ConvertSummary } from '../host/media-tools/convert-to-mp4';
import { looksLikeMp4 } from '../host/mp4/mp4-layout';
import { trackFormat, TrackSummary } from '../host/media-tools/inspect-mp4';
import { remuxToFaststart, RemuxSummary } from '../host/media-tools/remux';

export async function convertCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { fps: { type: 'string' }, faststart: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 2) throw new UserError('convert needs IN and OUT.mp4 (k230live convert IN OUT.mp4 [--fps F] [--faststart] [--json])');
  const [inPath, outPath] = positionals;
  const fps = values.fps !== undefined ? Number(values.fps) : undefined;
  if (fps !== undefined && !(fps > 0 && Number.isFinite(fps))) throw new UserError(`--fps must be a positive number (got "${values.fps}")`);
  Logging.level = LogLevel.Errors; // mediabunny's info lines would land on stdout, which is for the summary
  const mp4 = looksLikeMp4(inPath);
  // an MP4's samples are pictures and chunks of sound; a raw stream's, pictures
  const progress = progressBar(mp4 ? 'samples' : 'frames');
  try {
    if (mp4) {
      // An MP4 keeps its own timestamps; converting it means making it progressive with the moov first.
      if (fps !== undefined) throw new UserError(`--fps is for raw H.264/H.265 input; ${inPath} is an MP4 and keeps its timestamps`);
      const r = await remuxToFaststart(inPath, outPath, { onProgress: progress.update });
      progress.done();
      console.log(values.json ? JSON.stringify(r) : describeRemux(r));
    } else {
      const r = await convertRawToMp4(inPath, outPath, { fps, faststart: values.faststart, onProgress: progress.update });
      progress.done();
      console.log(values.json ? JSON.stringify(r) : describeConversion(r, values.faststart === true));
    }
  } finally {
    progress.done();
  }
  return 0;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function describeConversion(r: ConvertSummary, faststart: boolean): string {
  const skipped = r.skippedBeforeKeyframe > 0 ? `, ${r.skippedBeforeKeyframe} frames before the first keyframe left out` : '';
  return (
    `${r.path}: ${r.codec} ${r.width}x${r.height}, ${plural(r.frames, 'frame')} (${plural(r.keyframes, 'keyframe')}) at ${+r.fps.toFixed(3)} fps, ` +
    `${r.durationS.toFixed(2)} s, ${r.bytes} bytes${faststart ? ', moov first' : ''}${skipped}`
  );
}

function describeRemux(r: RemuxSummary): string {
  const tracks = r.tracks.map((t) => `${t.codec} ${trackFormat(t)}, ${t.type === 'audio' ? describeChunks(t) : `${plural(t.frames, 'frame')} (${plural(t.keyframes, 'keyframe')})`}, ${t.durationS.toFixed(2)} s`);
  return `${r.path}: ${tracks.join('; ')}, ${r.bytes} bytes, moov first`;
}

/** Sound comes in chunks (20 ms from the board), kept one sample each; a gap stays a gap. */
function describeChunks(t: TrackSummary): string {
  const gaps = t.gaps?.length ?? 0;
  return `${plural(t.frames, 'chunk')}${gaps > 0 ? ` (${plural(gaps, 'gap')})` : ''}`;
}

/** A bar on stderr while samples are written, only for a person watching a terminal. */
function progressBar(noun: string): { update: (done: number, total: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  let shown = -1;
  let visible = false;
  return {
    update(done, total) {
      const percent = Math.floor((done / total) * 100);
      if (percent === shown) return;
      shown = percent;
      visible = true;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${done}/${total} ${noun}`);
    },
    done() {
      if (visible) process.stderr.write('\r\x1b[2K');
      visible = false;
    },
  };
}
