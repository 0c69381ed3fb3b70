// What the remux knows of a sample: where its bytes are in the input and when it plays. Times are in its
// track's timescale, as the file has them, so nothing is rounded on the way through.

export interface Sample {
  /** offset of its bytes in the input file */
  offset: number;
  size: number;
  decodeTime: number;
  duration: number;
  /** presentation time minus decode time (B-frames); 0 for sound */
  compositionOffset: number;
  sync: boolean;
  /** which of the track's sample entries (stsd, from 1) describes it */
  description: number;
}

/** ISO/IEC 14496-12 8.8.3.1: sample_is_non_sync_sample */
const NON_SYNC = 0x10000;

export const isSyncFlags = (flags: number) => (flags & NON_SYNC) === 0;

/** Where the track's next sample decodes when a fragment does not say (no tfdt): right after the last one. */
export function nextDecodeTime(samples: Sample[]): number {
  const last = samples[samples.length - 1];
  return last ? last.decodeTime + last.duration : 0;
}
