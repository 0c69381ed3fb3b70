// Independent checks of the files we write, by ffprobe and ffmpeg (apt), as a user's player would.
import { execFileSync, spawnSync } from 'node:child_process';

export interface ProbedVideo {
  codec: string;
  width: number;
  height: number;
  frames: number;
  keyframes: number;
  /** presentation times of every packet in seconds, in file order */
  pts: number[];
}

export function probeVideo(file: string): ProbedVideo {
  const stream = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file]).toString(),
  ).streams[0];
  const packets = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'json', file], { maxBuffer: 64 << 20 }).toString(),
  ).packets as { pts_time: string; flags: string }[];
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    frames: Number(stream.nb_read_frames),
    keyframes: packets.filter((p) => p.flags.startsWith('K')).length,
    pts: packets.map((p) => Number(p.pts_time)),
  };
}

/** The file's sound as ffprobe reads it; codec undefined when it has none. */
export function probeSound(file: string): { codec: string; rate: number; channels: number } {
  const s = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', file]).toString()).streams[0];
  return { codec: s?.codec_name, rate: Number(s?.sample_rate), channels: Number(s?.channels) };
}

/** What ffprobe takes each stream for: its codec, and for sound its rate and channels. */
export function probeStreams(file: string): string[] {
  const streams = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels', '-of', 'json', file]).toString())
    .streams as { codec_type: string; codec_name: string; sample_rate?: string; channels?: number }[];
  return streams.map((s) => (s.codec_type === 'audio' ? `${s.codec_name} ${s.sample_rate} Hz ${s.channels} ch` : s.codec_name));
}

/** What a full decode prints on stderr: nothing for a clean file. */
export function decodeErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
  return (r.stderr.toString() + (r.status === 0 ? '' : `exit ${r.status}`)).trim();
}

export function strictlyIncreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]);
}

/** Every decoded picture's luma plane (width x height bytes each), as ffmpeg decodes the file: each once (no frame repeated to fill a gap in time). */
export function decodedLuma(file: string, width: number, height: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 30 });
  const size = width * height;
  return Array.from({ length: Math.floor(raw.length / size) }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * size, size));
}

/** The box of a picture's pixels brighter than `above`: its left, top, width and height; undefined when none are. */
export function brightBox(luma: Uint8Array, width: number, above: number): { x: number; y: number; w: number; h: number } | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let i = 0; i < luma.length; i++) {
    if (luma[i] <= above) continue;
    const x = i % width, y = (i - x) / width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}
