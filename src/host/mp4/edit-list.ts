// Where a track begins on the movie's timeline: the edit list's empty time before it and the media time it
// starts from. Muxers write empty time then one media piece; what to do with more is the caller's to decide.
import { UserError } from '../../shared/user-error';
import { Box, child } from '../../shared/mp4-boxes';

export interface TrackStart {
  /** empty time before the track, in the movie's ticks (mvhd) */
  leadIn: number;
  /** the media time (the track's own ticks) shown first */
  mediaStart: number;
}

export interface TrackEdits extends TrackStart {
  /** the media pieces shown, in order, after the empty time: one for a plain track */
  pieces: { mediaTime: number; rate: number }[];
}

export function movieTimescale(file: string, moov: Buffer): number {
  const mvhd = child(moov, { type: 'moov', start: 0, end: moov.length }, 'mvhd');
  if (!mvhd) throw new UserError(`${file} is damaged: its moov has no mvhd`);
  return moov.readUInt32BE(mvhd.start + (moov[mvhd.start + 8] === 1 ? 28 : 20));
}

/** No edit list reads as no empty time and media from 0, as players take it. */
export function readTrackEdits(moov: Buffer, trak: Box): TrackEdits {
  const edts = child(moov, trak, 'edts');
  const elst = edts && child(moov, edts, 'elst');
  const edits: TrackEdits = { leadIn: 0, mediaStart: 0, pieces: [] };
  if (!elst) return edits;
  const wide = moov[elst.start + 8] === 1;
  const count = moov.readUInt32BE(elst.start + 12);
  const row = wide ? 20 : 12;
  for (let i = 0, at = elst.start + 16; i < count && at + row <= elst.end; i++, at += row) {
    const mediaTime = wide ? Number(moov.readBigInt64BE(at + 8)) : moov.readInt32BE(at + 4);
    // media_rate_integer and media_rate_fraction, as one 16.16 number
    const rate = moov.readInt32BE(at + (wide ? 16 : 8)) / 0x10000;
    if (mediaTime === -1 && edits.pieces.length === 0) edits.leadIn += wide ? Number(moov.readBigUInt64BE(at)) : moov.readUInt32BE(at);
    else edits.pieces.push({ mediaTime, rate });
  }
  edits.mediaStart = Math.max(0, edits.pieces[0]?.mediaTime ?? 0);
  return edits;
}
