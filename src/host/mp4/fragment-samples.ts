// The samples a moof describes (ISO/IEC 14496-12 8.8): per track fragment its tfhd defaults, its tfdt and its
// trun rows, each field falling back to the tfhd and then to the moov's trex when a fragment leaves it out.
import { UserError } from '../../shared/user-error';
import { Box, child, childBoxes } from '../../shared/mp4-boxes';
import { isSyncFlags, nextDecodeTime, Sample } from './samples';

/** A track's trex: the values its fragments need not repeat. */
export interface TrackDefaults {
  description: number;
  duration: number;
  size: number;
  flags: number;
}

export interface FragmentedTrack {
  defaults: TrackDefaults;
  samples: Sample[];
}

const TFHD = { baseDataOffset: 0x1, description: 0x2, duration: 0x8, size: 0x10, flags: 0x20, baseIsMoof: 0x20000 };
const TRUN = { dataOffset: 0x1, firstFlags: 0x4, duration: 0x100, size: 0x200, flags: 0x400, compositionOffset: 0x800 };

export function readTrackDefaults(trex: Buffer, at: Box): { id: number; defaults: TrackDefaults } {
  const f = at.start + 12;
  return {
    id: trex.readUInt32BE(f),
    defaults: { description: trex.readUInt32BE(f + 4), duration: trex.readUInt32BE(f + 8), size: trex.readUInt32BE(f + 12), flags: trex.readUInt32BE(f + 16) },
  };
}

/** Adds the samples of the moof (read whole, found at `moofStart` in the file) to their tracks. */
export function readFragment(file: string, moof: Buffer, moofStart: number, tracks: Map<number, FragmentedTrack>): void {
  // A traf without a base offset of its own (and not based on the moof) starts where the one before it ended.
  let dataEnd = moofStart;
  for (const traf of childBoxes(moof, 8, moof.length).filter((c) => c.type === 'traf')) {
    dataEnd = readTrackFragment(file, moof, traf, moofStart, dataEnd, tracks);
  }
}

function readTrackFragment(file: string, moof: Buffer, traf: Box, moofStart: number, previousEnd: number, tracks: Map<number, FragmentedTrack>): number {
  const tfhd = child(moof, traf, 'tfhd');
  if (!tfhd) throw new UserError(`${file}: a track fragment without a tfhd`);
  const flags = moof.readUIntBE(tfhd.start + 9, 3);
  const id = moof.readUInt32BE(tfhd.start + 12);
  const track = tracks.get(id);
  if (!track) throw new UserError(`${file}: a fragment of track ${id}, which the moov does not describe`);
  let at = tfhd.start + 16;
  const field32 = (bit: number, fallback: number) => {
    if (!(flags & bit)) return fallback;
    at += 4;
    return moof.readUInt32BE(at - 4);
  };
  let base = flags & TFHD.baseIsMoof ? moofStart : previousEnd;
  if (flags & TFHD.baseDataOffset) {
    base = Number(moof.readBigUInt64BE(at));
    at += 8;
  }
  const defaults: TrackDefaults = {
    description: field32(TFHD.description, track.defaults.description),
    duration: field32(TFHD.duration, track.defaults.duration),
    size: field32(TFHD.size, track.defaults.size),
    flags: field32(TFHD.flags, track.defaults.flags),
  };
  const tfdt = child(moof, traf, 'tfdt');
  let time = tfdt
    ? moof[tfdt.start + 8] === 1
      ? Number(moof.readBigUInt64BE(tfdt.start + 12))
      : moof.readUInt32BE(tfdt.start + 12)
    : nextDecodeTime(track.samples);
  let dataAt = base;
  for (const trun of childBoxes(moof, traf.start + 8, traf.end).filter((c) => c.type === 'trun')) {
    const run = readRun(moof, trun, defaults);
    if (run.dataOffset !== undefined) dataAt = base + run.dataOffset;
    for (const s of run.rows) {
      track.samples.push({ ...s, offset: dataAt, decodeTime: time, description: defaults.description });
      dataAt += s.size;
      time += s.duration;
    }
  }
  return dataAt;
}

type Row = Pick<Sample, 'size' | 'duration' | 'compositionOffset' | 'sync'>;

function readRun(moof: Buffer, trun: Box, defaults: TrackDefaults): { dataOffset?: number; rows: Row[] } {
  const version = moof[trun.start + 8];
  const flags = moof.readUIntBE(trun.start + 9, 3);
  const count = moof.readUInt32BE(trun.start + 12);
  let at = trun.start + 16;
  let dataOffset: number | undefined;
  if (flags & TRUN.dataOffset) {
    dataOffset = moof.readInt32BE(at);
    at += 4;
  }
  let firstFlags: number | undefined;
  if (flags & TRUN.firstFlags) {
    firstFlags = moof.readUInt32BE(at);
    at += 4;
  }
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const next = (bit: number) => {
      if (!(flags & bit)) return undefined;
      at += 4;
      return at - 4;
    };
    const durationAt = next(TRUN.duration);
    const sizeAt = next(TRUN.size);
    const flagsAt = next(TRUN.flags);
    const offsetAt = next(TRUN.compositionOffset);
    if (at > trun.end) throw new UserError('the MP4 is damaged: a trun holds fewer rows than it counts');
    const sampleFlags = flagsAt !== undefined ? moof.readUInt32BE(flagsAt) : i === 0 && firstFlags !== undefined ? firstFlags : defaults.flags;
    rows.push({
      duration: durationAt !== undefined ? moof.readUInt32BE(durationAt) : defaults.duration,
      size: sizeAt !== undefined ? moof.readUInt32BE(sizeAt) : defaults.size,
      // version 1 offsets are signed (B-frames without an edit list); version 0 ones are not
      compositionOffset: offsetAt === undefined ? 0 : version === 1 ? moof.readInt32BE(offsetAt) : moof.readUInt32BE(offsetAt),
      sync: isSyncFlags(sampleFlags),
    });
  }
  return { dataOffset, rows };
}
