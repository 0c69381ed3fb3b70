// k230live inspect: what an MP4 holds (tracks, codecs, frames, keyframes, sound and its gaps, layout) without decoding it.
import { parseArgs } from 'node:util';
import { Logging, LogLevel } from 'mediabunny';
import { UserError } from '../shared/user-error';
import { boxTree } from '../host/media-tools/box-tree';
import { inspectMp4, Mp4Summary, trackFormat, TrackSummary } from '../host/media-tools/inspect-mp4';

export async function inspectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, boxes: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UserError('inspect needs one FILE.mp4 (k230live inspect FILE.mp4 [--json | --boxes])');
  if (values.boxes) {
    console.log(boxTree(positionals[0]));
    return 0;
  }
  Logging.level = LogLevel.Errors; // mediabunny's info lines would land on stdout, which is for the summary
  const summary = await inspectMp4(positionals[0]);
  console.log(values.json ? JSON.stringify(summary) : describe(summary));
  return 0;
}

function describe(s: Mp4Summary): string {
  const layout = `${s.fragmented ? 'fragmented' : 'progressive'}, moov ${s.moovBeforeMdat ? 'before' : 'after'} mdat`;
  const rows = [
    ['track', 'type', 'codec', 'format', 'frames', 'keyframes', 'duration'],
    ...s.tracks.map((t) => [String(t.id), t.type, t.codec ?? 'unknown', trackFormat(t), String(t.frames), String(t.keyframes), `${t.durationS.toFixed(3)} s`]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  const sound = s.tracks.filter((t) => t.type === 'audio' && t.samples !== undefined).map(describeSound);
  return [`${s.path}: ${s.bytes} bytes, ${layout}`, ...table, ...sound].join('\n');
}

/** A line per sound track: how much sound, from when, and where some is missing (a chunk lost on the way). */
function describeSound(t: TrackSummary): string {
  const gaps = t.gaps ?? [];
  const head = `  sound (track ${t.id}): ${t.samples} samples in ${t.frames} chunks from ${t.startS.toFixed(3)} s`;
  if (gaps.length === 0) return `${head}, no gaps`;
  const missingMs = gaps.reduce((ms, g) => ms + g.durationS * 1000, 0);
  const shown = 5;
  const at = gaps.slice(0, shown).map((g) => `${g.atS.toFixed(3)} s`);
  if (gaps.length > shown) at.push(`and ${gaps.length - shown} more`);
  return `${head}, ${gaps.length} ${gaps.length === 1 ? 'gap' : 'gaps'} (${+missingMs.toFixed(1)} ms missing) at ${at.join(', ')}`;
}
