// Raw H.264/H.265 from ffmpeg's own encoders, and looks at files that do not go through our code: the yardsticks
// of the media tool tests.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface RawVideo {
  codec: 'h264' | 'h265';
  frames: number;
  /** e.g. 25 or "30000/1001" */
  rate?: number | string;
  size?: string;
  /** extra encoder options, e.g. ['-bf', '2'] or ['-x265-params', 'bframes=3'] */
  encoder?: string[];
}

/** Encodes ffmpeg's test pattern into a raw Annex-B file, as a camera's encoder would hand it over. */
export function encodeRaw(out: string, v: RawVideo): string {
  const common = ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${v.size ?? '640x360'}:rate=${v.rate ?? 25}`, '-frames:v', String(v.frames), '-pix_fmt', 'yuv420p'];
  const codec =
    v.codec === 'h264'
      ? ['-c:v', 'libx264', '-bf', '0', '-g', '25', ...(v.encoder ?? []), '-f', 'h264']
      : ['-c:v', 'libx265', ...(v.encoder ?? ['-x265-params', 'log-level=error:bframes=0:keyint=25']), '-f', 'hevc'];
  execFileSync('ffmpeg', [...common, ...codec, out]);
  return out;
}

/** The MD5 of every decoded frame, in output order (ffmpeg -f framemd5, hash column only). */
export function frameHashes(file: string): string[] {
  const text = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'framemd5', '-'], { maxBuffer: 256 << 20 }).toString();
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').pop()!.trim());
}

/** Top-level boxes with their offsets, walked here rather than by the code under test. */
export function topLevelBoxes(file: string): { type: string; at: number }[] {
  const b = fs.readFileSync(file);
  const boxes: { type: string; at: number }[] = [];
  for (let at = 0; at + 8 <= b.length; ) {
    let size = b.readUInt32BE(at);
    if (size === 1) size = Number(b.readBigUInt64BE(at + 8));
    if (size === 0) size = b.length - at;
    boxes.push({ type: b.toString('latin1', at + 4, at + 8), at });
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

export function boxOffset(file: string, type: string): number {
  const box = topLevelBoxes(file).find((b) => b.type === type);
  if (!box) throw new Error(`${file} has no ${type} box`);
  return box.at;
}

/** The file's container duration in seconds, as ffprobe reads it. */
export function probeDuration(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString().trim());
}

/** The video track's samples back out as Annex-B, by ffmpeg's own mp4toannexb filter. */
export function extractAnnexB(mp4: string, out: string, codec: 'h264' | 'h265'): Buffer {
  execFileSync('ffmpeg', ['-nostdin', '-y', '-v', 'error', '-i', mp4, '-c:v', 'copy', '-f', codec === 'h264' ? 'h264' : 'hevc', out]);
  return fs.readFileSync(out);
}

/** NAL units of an Annex-B stream as hex, split on start codes in the plainest way (independent of src/host/bitstream). */
export function plainNalUnits(stream: Buffer): string[] {
  const units: string[] = [];
  const push = (from: number, to: number) => {
    while (to > from && stream[to - 1] === 0) to--; // zeros before a start code are not part of the unit
    if (to > from) units.push(stream.subarray(from, to).toString('hex'));
  };
  let start = -1;
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      if (start >= 0) push(start, i);
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) push(start, stream.length);
  return units;
}

/** 1-based numbers of the sync samples in the first track's stss box (every sample when there is none). */
export function syncSamples(file: string): number[] | 'all' {
  const b = fs.readFileSync(file);
  let start = 0;
  let end = b.length;
  for (const type of ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stss']) {
    let at = start;
    while (at + 8 <= end && b.toString('latin1', at + 4, at + 8) !== type) at += b.readUInt32BE(at) || end;
    if (at + 8 > end) {
      if (type === 'stss') return 'all';
      throw new Error(`${file} has no ${type} box`);
    }
    end = at + b.readUInt32BE(at);
    start = at + 8;
  }
  // stss: version/flags, entry_count, then the sample numbers
  const count = b.readUInt32BE(start + 4);
  return Array.from({ length: count }, (_, i) => b.readUInt32BE(start + 8 + 4 * i));
}
