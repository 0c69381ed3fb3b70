// Sound against picture in a recorded file, measured with ffmpeg alone: the simulated camera makes
// its top-left 64x64 block white on the frame of each whole second of the board clock, and the
// simulated microphone starts a 1 kHz tone burst at that instant (device-agent/backends/sim/sim_marks.h).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/** Times (s) of the frames whose corner block is white, by ffmpeg's decode of the file. */
export function whiteFrameTimes(file: string): number[] {
  const csv = execFileSync('ffprobe', [
    '-v', 'error', '-f', 'lavfi', '-i', `movie=${file.replace(/[\\':,]/g, '\\$&')},crop=64:64:0:0,signalstats`,
    '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0',
  ], { maxBuffer: 64 << 20 }).toString();
  return csv.trim().split('\n').map((l) => l.split(',').map(Number)).filter(([, y]) => y > 128).map(([t]) => t);
}

export interface DecodedSound {
  rate: number;
  /** each decoded frame (one chunk): its pts (s) and its samples */
  frames: { pts: number; samples: Int16Array }[];
}

/** The sound track decoded by ffmpeg, frame by frame with each frame's own pts. */
export function decodeSound(file: string): DecodedSound {
  const probe = JSON.parse(execFileSync('ffprobe', [
    '-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate:frame=pts_time,nb_samples', '-of', 'json', file,
  ], { maxBuffer: 64 << 20 }).toString()) as { streams: { sample_rate: string }[]; frames: { pts_time: string; nb_samples: number }[] };
  const pcm = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:a:0', '-f', 's16le', '-acodec', 'pcm_s16le', '-'], { maxBuffer: 256 << 20 });
  const all = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength >> 1);
  let at = 0;
  const frames = probe.frames.map((f) => {
    const samples = all.subarray(at, at + f.nb_samples);
    at += f.nb_samples;
    return { pts: Number(f.pts_time), samples };
  });
  if (at !== all.length) throw new Error(`ffmpeg decoded ${all.length} samples, its frames hold ${at}`);
  return { rate: Number(probe.streams[0].sample_rate), frames };
}

/**
 * Start times (s) of the tone bursts: the first loud sample after at least 50 ms of quiet. Before
 * the track there is taken to be quiet, so a burst at its very start counts (one already playing
 * when the track begins counts too, and is paired with no white frame).
 */
export function toneOnsets(sound: DecodedSound, threshold = 0.1 * 32768): number[] {
  const onsets: number[] = [];
  let quietSince = (sound.frames[0]?.pts ?? 0) - 1;
  let loud = false;
  for (const f of sound.frames) {
    for (let i = 0; i < f.samples.length; i++) {
      const t = f.pts + i / sound.rate;
      if (Math.abs(f.samples[i]) >= threshold) {
        if (!loud && t - quietSince >= 0.05) onsets.push(t);
        loud = true;
      } else if (loud) {
        loud = false;
        quietSince = t;
      }
    }
  }
  return onsets;
}

export interface SyncReport {
  /** tone onset minus white frame, s, one per whole second both marked */
  offsets: number[];
  whiteFrames: number;
  onsets: number;
}

/**
 * Pairs each white frame with the nearest tone onset. Only white frames the sound covers count,
 * with the chunk where their tone starts (at least 1 ms of it): a recording may end just after a white frame, before
 * that chunk was written, and a chunk lost on the link is a gap that holds no onset.
 */
export function measureSync(file: string): SyncReport {
  const sound = decodeSound(file);
  // A chunk that ends at the white frame's instant does not hold its tone (the onset reads a
  // sample or two after it), though its end may print a hair later: 1 ms past is asked for.
  const covered = (w: number) => sound.frames.some((f) => f.pts <= w + 1e-4 && w + 1e-3 < f.pts + f.samples.length / sound.rate);
  const whites = whiteFrameTimes(file).filter(covered);
  const onsets = toneOnsets(sound);
  const offsets = whites.map((w) => onsets.reduce((best, o) => (Math.abs(o - w) < Math.abs(best) ? o - w : best), Infinity));
  return { offsets, whiteFrames: whites.length, onsets: onsets.length };
}

/** Durations (s) of the video and sound streams as ffprobe reads them from their packets. */
export function streamDurations(file: string): { video: number; audio: number } {
  const span = (sel: string) => {
    const rows = execFileSync('ffprobe', ['-v', 'error', '-select_streams', sel, '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file], { maxBuffer: 64 << 20 })
      .toString().trim().split('\n').map((l) => l.split(',').map(Number));
    const first = Math.min(...rows.map(([t]) => t));
    const end = Math.max(...rows.map(([t, d]) => t + d));
    return end - first;
  };
  return { video: span('v:0'), audio: span('a:0') };
}

/** Every whole second in the file has its white frame and its tone, at most 5 ms apart; the offsets (s). */
export function assertInSync(file: string, seconds: number): number[] {
  const r = measureSync(file);
  assert.ok(r.whiteFrames >= seconds - 1, `a white frame each second (${r.whiteFrames} in ${seconds} s)`);
  assert.ok(Math.abs(r.onsets - r.whiteFrames) <= 1, `a tone with each (${r.onsets} tones, ${r.whiteFrames} white frames)`);
  return assertPairsWithin5ms(file, r);
}

/** Through faults, where frames and chunks were lost: each white frame that is left, and the chunk
 * of its tone, at most 5 ms apart (a gap, never a shift), at least `atLeast` of them; the offsets (s). */
export function assertSurvivorsInSync(file: string, atLeast: number): number[] {
  const r = measureSync(file);
  assert.ok(r.whiteFrames >= atLeast, `at least ${atLeast} white frames with their tone's chunk survive (${r.whiteFrames})`);
  return assertPairsWithin5ms(file, r);
}

function assertPairsWithin5ms(file: string, r: SyncReport): number[] {
  const worst = Math.max(...r.offsets.map(Math.abs));
  const shown = r.offsets.map((o) => (o * 1000).toFixed(2)).join(' ');
  assert.ok(worst <= 0.005, `tone onset within 5 ms of its frame at every second (worst ${(worst * 1000).toFixed(2)} ms: ${shown})`);
  console.log(`${file}: tone minus white frame, ms, at each of ${r.offsets.length} seconds: ${shown}`);
  return r.offsets;
}
