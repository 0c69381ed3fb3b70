// The samples a progressive MP4's stbl describes (ISO/IEC 14496-12 8.6, 8.7): decode deltas, composition
// offsets, sync samples, sizes and chunk offsets, unrolled to one row per sample. A recording's moov holds
// none; a file that is already progressive (moov last, say) holds them all.
import { UserError } from '../../shared/user-error';
import { Box, child } from '../../shared/mp4-boxes';
import { Sample } from './samples';

export function readSampleTables(file: string, moov: Buffer, stbl: Box): Sample[] {
  const table = (type: string) => child(moov, stbl, type);
  if (table('stz2')) throw new UserError(`${file} uses compact sample sizes (stz2), which this tool does not read`);
  const stsz = table('stsz');
  if (!stsz) return [];
  const count = moov.readUInt32BE(stsz.start + 16);
  if (count === 0) return [];
  const sizes = readSizes(moov, stsz, count);
  const times = readDecodeTimes(moov, table('stts'), count);
  const chunks = readChunks(moov, table('stsc'), table('stco') ?? table('co64'), sizes);
  const composition = readCompositionOffsets(moov, table('ctts'), count);
  const sync = readSyncSamples(moov, table('stss'));
  if (!times || !chunks) throw new UserError(`${file} is damaged: its sample tables disagree on how many samples there are`);
  return sizes.map((size, i) => ({
    offset: chunks.offset[i],
    size,
    decodeTime: times.start[i],
    duration: times.duration[i],
    compositionOffset: composition[i],
    sync: sync ? sync.has(i + 1) : true,
    description: chunks.description[i],
  }));
}

function readSizes(b: Buffer, stsz: Box, count: number): number[] {
  const fixed = b.readUInt32BE(stsz.start + 12);
  if (fixed !== 0) return new Array<number>(count).fill(fixed);
  return Array.from({ length: count }, (_, i) => b.readUInt32BE(stsz.start + 20 + i * 4));
}

/** Rows of a table whose entry count is at `start + 12` and whose rows begin at `start + 16`. */
function rows(b: Buffer, box: Box | undefined, width: number): number[][] {
  if (!box) return [];
  const n = b.readUInt32BE(box.start + 12);
  if (box.start + 16 + n * width * 4 > box.end) throw new UserError(`the MP4 is damaged: its ${b.toString('latin1', box.start + 4, box.start + 8)} is short`);
  return Array.from({ length: n }, (_, i) => Array.from({ length: width }, (_, j) => b.readUInt32BE(box.start + 16 + (i * width + j) * 4)));
}

function readDecodeTimes(b: Buffer, stts: Box | undefined, count: number): { start: number[]; duration: number[] } | undefined {
  const start: number[] = [];
  const duration: number[] = [];
  let time = 0;
  for (const [n, delta] of rows(b, stts, 2)) {
    for (let i = 0; i < n; i++) {
      start.push(time);
      duration.push(delta);
      time += delta;
    }
  }
  return start.length === count ? { start, duration } : undefined;
}

function readCompositionOffsets(b: Buffer, ctts: Box | undefined, count: number): number[] {
  const out: number[] = [];
  const signed = ctts !== undefined && b[ctts.start + 8] === 1;
  for (const [n, offset] of rows(b, ctts, 2)) for (let i = 0; i < n; i++) out.push(signed ? offset | 0 : offset);
  while (out.length < count) out.push(0);
  return out;
}

/** undefined when there is no stss: then every sample is a sync sample. */
function readSyncSamples(b: Buffer, stss: Box | undefined): Set<number> | undefined {
  return stss && new Set(rows(b, stss, 1).map(([n]) => n));
}

/** Each sample's offset and sample entry: chunks hold runs of samples back to back, stsc saying how many per chunk. */
function readChunks(b: Buffer, stsc: Box | undefined, chunkTable: Box | undefined, sizes: number[]): { offset: number[]; description: number[] } | undefined {
  if (!chunkTable) return undefined;
  const wide = b.toString('latin1', chunkTable.start + 4, chunkTable.start + 8) === 'co64';
  const chunks = rows(b, chunkTable, wide ? 2 : 1).map((r) => (wide ? r[0] * 2 ** 32 + r[1] : r[0]));
  const offset: number[] = [];
  const description: number[] = [];
  const runs = rows(b, stsc, 3);
  runs.forEach(([first, perChunk, entry], r) => {
    const end = r + 1 < runs.length ? runs[r + 1][0] : chunks.length + 1; // the last run lasts to the last chunk
    for (let chunk = first; chunk < end && chunk <= chunks.length; chunk++) {
      let at = chunks[chunk - 1];
      for (let i = 0; i < perChunk && offset.length < sizes.length; i++) {
        offset.push(at);
        description.push(entry);
        at += sizes[offset.length - 1];
      }
    }
  });
  return offset.length === sizes.length ? { offset, description } : undefined;
}
