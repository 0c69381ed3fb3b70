// The moov of a progressive MP4 made from a recording's: every trak's boxes as they were (sample entries,
// handlers, sizes) with its sample tables filled in from the samples and the mdat chunks they were laid out in,
// its durations set and its start time kept in an edit list.
import { UserError } from '../../shared/user-error';
import { box, Box, child, childBoxes, fits32, fullBox, s32, u16, u32, u32Table, u64 } from '../../shared/mp4-boxes';
import { movieTimescale, readTrackEdits, TrackStart } from '../mp4/edit-list';
import { TrackSamples } from '../mp4/mp4-samples';
import { progressiveStsd } from '../mp4/sample-entry';
import { Sample } from '../mp4/samples';

export interface Chunk {
  /** index of its first sample in the track */
  first: number;
  count: number;
  /** offset in the output file */
  offset: number;
}

export interface LaidOutTrack extends TrackSamples {
  chunks: Chunk[];
}

export function progressiveMoov(file: string, moov: Buffer, tracks: LaidOutTrack[], wideOffsets: boolean): Uint8Array {
  const inputScale = movieTimescale(file, moov);
  const scale = commonTimescale(inputScale, tracks);
  const traks = new Map<number, Uint8Array>();
  let movieDuration = 0;
  for (const t of tracks) {
    const timeline = trackTimeline(file, moov, t, inputScale, scale);
    const presented = timeline.leadIn + toMovie(mediaDuration(t.samples) - timeline.mediaStart, t.timescale, scale);
    movieDuration = Math.max(movieDuration, presented);
    traks.set(t.trak.start, progressiveTrak(moov, t, timeline, scale, presented, wideOffsets));
  }
  const parts = childBoxes(moov, 8, moov.length).flatMap((c): Uint8Array[] => {
    if (c.type === 'mvhd') return [withDuration(moov, c, movieDuration, scale)];
    if (c.type === 'trak') return traks.has(c.start) ? [traks.get(c.start)!] : []; // a track with no samples is left out
    if (c.type === 'mvex') return []; // no fragments follow
    return [moov.subarray(c.start, c.end)];
  });
  return box('moov', ...parts);
}

/**
 * The movie's clock: one in which the input's edits and every track's first time are whole ticks, so a
 * track that starts late (the sound, a few ms after the first picture, on its own 8 kHz clock) starts at
 * exactly its time and not at the nearest millisecond. When no such clock fits in 32 bits, the finest
 * track's, rounding to it.
 */
function commonTimescale(inputScale: number, tracks: TrackSamples[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = tracks.reduce((l, t) => (l / gcd(l, t.timescale)) * t.timescale, inputScale || 1);
  return fits32(lcm) ? lcm : Math.max(...tracks.map((t) => t.timescale));
}

const toMovie = (ticks: number, from: number, to: number) => Math.round((ticks * to) / from);

function mediaDuration(samples: Sample[]): number {
  const last = samples[samples.length - 1];
  return last.decodeTime + last.duration - samples[0].decodeTime;
}

/**
 * A progressive track's samples start at media time 0, a fragment's at its tfdt: the first sample's decode
 * time becomes empty time before the track (or comes off the input's own edit, when it skipped that much).
 */
function trackTimeline(file: string, moov: Buffer, t: LaidOutTrack, inputScale: number, scale: number): TrackStart {
  const input = readTrackEdits(moov, t.trak);
  // Empty time then one piece at normal speed is what muxers write; more would need cutting the samples to carry over.
  if (input.pieces.length > 1) throw new UserError(`${file}: track ${t.id} has an edit list of ${input.pieces.length} pieces, which this tool does not carry over`);
  if (input.pieces.some((p) => p.rate !== 1 || p.mediaTime < 0)) throw new UserError(`${file}: track ${t.id} has an edit that pauses or changes speed, which this tool does not carry over`);
  const start = t.samples[0].decodeTime;
  const leadIn = toMovie(input.leadIn, inputScale, scale);
  if (input.mediaStart >= start) return { leadIn, mediaStart: input.mediaStart - start };
  return { leadIn: leadIn + toMovie(start - input.mediaStart, t.timescale, scale), mediaStart: 0 };
}

function progressiveTrak(moov: Buffer, t: LaidOutTrack, timeline: TrackStart, scale: number, presented: number, wideOffsets: boolean): Uint8Array {
  const kept = childBoxes(moov, t.trak.start + 8, t.trak.end).filter((c) => c.type !== 'edts');
  const parts = kept.flatMap((c): Uint8Array[] => {
    if (c.type === 'tkhd') return [withDuration(moov, c, presented), ...editList(timeline, t, scale)];
    if (c.type === 'mdia') return [rebuilt(moov, c, { mdhd: (h) => withDuration(moov, h, mediaDuration(t.samples)), minf: (m) => rebuilt(moov, m, { stbl: (s) => sampleTables(moov, s, t, wideOffsets) }) })];
    return [moov.subarray(c.start, c.end)];
  });
  return box('trak', ...parts);
}

/** The box with the named children replaced, the others copied. */
function rebuilt(b: Buffer, parent: Box, replace: Record<string, (c: Box) => Uint8Array>): Uint8Array {
  const parts = childBoxes(b, parent.start + 8, parent.end).map((c) => replace[c.type]?.(c) ?? b.subarray(c.start, c.end));
  return box(parent.type, ...parts);
}

/** None when the track starts at 0 with nothing skipped: players need no edit for that. */
function editList(timeline: TrackStart, t: LaidOutTrack, scale: number): Uint8Array[] {
  if (timeline.leadIn === 0 && timeline.mediaStart === 0) return [];
  const segment = toMovie(Math.max(0, mediaDuration(t.samples) - timeline.mediaStart), t.timescale, scale);
  const entries: [number, number][] = timeline.leadIn > 0 ? [[timeline.leadIn, -1]] : [];
  entries.push([segment, timeline.mediaStart]);
  const v = entries.every(([d, m]) => fits32(d) && m < 2 ** 31) ? 0 : 1;
  const rows = entries.map(([duration, mediaTime]) => Buffer.concat(v === 1 ? [u64(duration), i64(mediaTime), u16(1), u16(0)] : [u32(duration), s32(mediaTime), u16(1), u16(0)]));
  return [box('edts', fullBox('elst', v, 0, u32(entries.length), ...rows))];
}

function i64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

/**
 * mvhd, tkhd and mdhd begin alike: creation and modification time, a 32-bit field (timescale; tkhd: track_ID
 * and 4 reserved bytes), the duration, then fixed fields that are copied. Version 1 only when a time needs it.
 */
function withDuration(b: Buffer, h: Box, duration: number, field?: number): Uint8Array {
  const wide = b[h.start + 8] === 1;
  const read = (at: number) => (wide ? Number(b.readBigUInt64BE(at)) : b.readUInt32BE(at));
  const w = wide ? 8 : 4;
  const creation = read(h.start + 12);
  const modification = read(h.start + 12 + w);
  const middle = b.readUInt32BE(h.start + 12 + 2 * w);
  const reserved = h.type === 'tkhd' ? 4 : 0;
  const rest = b.subarray(h.start + 12 + 3 * w + 4 + reserved, h.end);
  const v = [creation, modification, duration].every(fits32) ? 0 : 1;
  const time = v === 1 ? u64 : u32;
  return fullBox(h.type, v, b.readUIntBE(h.start + 9, 3), time(creation), time(modification), u32(field ?? middle), Buffer.alloc(reserved), time(duration), rest);
}

/** The sample entries as they were (H.265's renamed, see sample-entry.ts); the tables that place and time each sample, new. */
function sampleTables(moov: Buffer, stbl: Box, t: LaidOutTrack, wideOffsets: boolean): Uint8Array {
  const stsd = child(moov, stbl, 'stsd')!;
  // Sample groups (sgpd/sbgp) and the input's own tables are left out: they number samples as the input did.
  return box(
    'stbl',
    progressiveStsd(moov, stsd),
    decodingTimes(t.samples),
    ...compositionOffsets(t.samples),
    ...syncSamples(t.samples),
    sampleSizes(t.samples),
    sampleToChunk(t),
    chunkOffsets(t.chunks, wideOffsets),
  );
}

/** Runs of equal values, as [count, value]: how stts, ctts and stsc store what repeats. */
function runs(values: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    if (out.length > 0 && out[out.length - 1][1] === v) out[out.length - 1][0]++;
    else out.push([1, v]);
  }
  return out;
}

/**
 * stts holds no decode times, only each sample's delta to the next: a chunk of sound lost on the way (its
 * fragment missing, the next one's tfdt later) lengthens the delta of the chunk before it, so every chunk
 * after the gap still plays at its own time and the bytes stay the board's. The other ways are worse: an
 * empty edit per gap is a many-piece edit list, which few players follow (ffmpeg warns of a/v desync);
 * silence written in would be sound nobody recorded. inspect finds the gap again (a G.711 chunk holds one byte per
 * sample, fewer than its delta).
 */
function decodingTimes(samples: Sample[]): Uint8Array {
  const deltas = samples.map((s, i) => (i + 1 < samples.length ? samples[i + 1].decodeTime - s.decodeTime : s.duration));
  return fullBox('stts', 0, 0, u32Table(runs(deltas)));
}

function compositionOffsets(samples: Sample[]): Uint8Array[] {
  const offsets = samples.map((s) => s.compositionOffset);
  if (offsets.every((o) => o === 0)) return [];
  return [fullBox('ctts', offsets.some((o) => o < 0) ? 1 : 0, 0, u32Table(runs(offsets)))];
}

/** None when every sample is a sync sample (sound, an all-intra stream): no stss says just that. */
function syncSamples(samples: Sample[]): Uint8Array[] {
  if (samples.every((s) => s.sync)) return [];
  return [fullBox('stss', 0, 0, u32Table(samples.flatMap((s, i) => (s.sync ? [[i + 1]] : []))))];
}

function sampleSizes(samples: Sample[]): Uint8Array {
  const size = samples[0].size;
  if (samples.every((s) => s.size === size)) return fullBox('stsz', 0, 0, u32(size), u32(samples.length));
  return fullBox('stsz', 0, 0, u32(0), u32Table(samples.map((s) => [s.size])));
}

function sampleToChunk(t: LaidOutTrack): Uint8Array {
  const rows: number[][] = [];
  t.chunks.forEach((c, i) => {
    const description = t.samples[c.first].description;
    const last = rows[rows.length - 1];
    if (!last || last[1] !== c.count || last[2] !== description) rows.push([i + 1, c.count, description]);
  });
  return fullBox('stsc', 0, 0, u32Table(rows));
}

function chunkOffsets(chunks: Chunk[], wide: boolean): Uint8Array {
  if (!wide) return fullBox('stco', 0, 0, u32Table(chunks.map((c) => [c.offset])));
  return fullBox('co64', 0, 0, u32(chunks.length), ...chunks.map((c) => u64(c.offset)));
}
