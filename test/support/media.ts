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

/** What a full decode prints on stderr: nothing for a clean file. */
export function decodeErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
  return (r.stderr.toString() + (r.status === 0 ? '' : `exit ${r.status}`)).trim();
}

export function strictlyIncreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]);
}
