// What inspect says of a sound track beyond its packets: how much sound its chunks hold, and where sound is
// missing between two of them (a chunk lost on the way from the board).
import { TrackSamples } from '../mp4/mp4-samples';
import { Sample } from '../mp4/samples';

export interface SoundGap {
  /** where the missing sound begins, on the file's timeline */
  atS: number;
  durationS: number;
}

export interface SoundSummary {
  sampleRate: number;
  channels: number;
  /** sound samples in all its chunks (per channel) */
  samples: number;
  gaps: SoundGap[];
}

/** G.711 (mediabunny's names): one byte per sample and channel. */
const ONE_BYTE_A_SAMPLE = new Set(['ulaw', 'alaw']);

/**
 * A G.711 chunk's sound is its size, whatever time its sample table gives it: a progressive file carries a
 * gap in the delta of the chunk before it (progressive-moov.ts), a fragmented one in the next chunk's later
 * decode time, and this finds both. For other codecs a chunk's sound is its duration, so only a fragmented
 * file shows its gaps.
 */
export function summarizeSound(t: TrackSamples, codec: string | null, sampleRate: number, channels: number, startS: number): SoundSummary {
  const byBytes = codec !== null && ONE_BYTE_A_SAMPLE.has(codec) && channels > 0;
  /** the sound a chunk holds, in the track's ticks */
  const sound = (s: Sample) => (byBytes ? ((s.size / channels) * t.timescale) / sampleRate : s.duration);
  const first = t.samples[0]?.decodeTime ?? 0;
  const gaps: SoundGap[] = [];
  let ticks = 0;
  t.samples.forEach((s, i) => {
    ticks += sound(s);
    const next = t.samples[i + 1];
    const missing = next ? next.decodeTime - (s.decodeTime + sound(s)) : 0;
    // half a tick of slack: a chunk's sound in the track's ticks need not be whole when its clock is not the rate's
    if (missing > 0.5) gaps.push({ atS: startS + (s.decodeTime + sound(s) - first) / t.timescale, durationS: missing / t.timescale });
  });
  return { sampleRate, channels, samples: Math.round((ticks * sampleRate) / t.timescale), gaps };
}
