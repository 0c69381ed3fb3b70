// Turns a fragmented MP4 (a recording: ftyp+moov, then moof+mdat per picture and per chunk of sound) into a
// progressive one with the moov first, copying every sample as it is: no decoding, no encoding, every time
// kept in the input's own ticks. Done at the box level rather than by mediabunny: its MP4 writer takes no
// G.711, and its MOV writer stores PCM as one sample per byte and fills a gap with silence, so a recording's
// sound would be lost or remade.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../shared/user-error';
import { box, fits32, u32, u64 } from '../../shared/mp4-boxes';
import { firstLine, preparedOutput } from '../mp4/mp4-files';
import { inspectMp4, TrackSummary } from './inspect-mp4';
import { interleaveBySecond, PlannedChunk } from './interleave';
import { readMp4Samples, TrackSamples } from '../mp4/mp4-samples';
import { LaidOutTrack, progressiveMoov } from './progressive-moov';
import { Sample } from '../mp4/samples';

export interface RemuxOptions {
  onProgress?: (samplesWritten: number, samplesTotal: number) => void;
}

export interface RemuxSummary {
  path: string;
  bytes: number;
  /** as read back from the written file */
  tracks: TrackSummary[];
}

/** A plain ISO MP4's brands: the input's (iso5, iso6, dash: fragments) no longer describe the file. */
const FILE_TYPE = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2mp41', 'latin1'));

/** Samples this close together in the input (a moof and a chunk of sound between two pictures) are read at once. */
const READ_ACROSS = 16 << 10;

export async function remuxToFaststart(inPath: string, outPath: string, options: RemuxOptions = {}): Promise<RemuxSummary> {
  if (path.resolve(inPath) === path.resolve(outPath)) throw new UserError(`${outPath}: the output would overwrite the input`);
  const input = readMp4Samples(inPath);
  const tracks = input.tracks.filter((t) => t.samples.length > 0);
  if (tracks.length === 0) throw new UserError(`${inPath} holds no samples: nothing to play`);
  const plan = interleaveBySecond(tracks);
  const { moov, mdatHeader, laidOut } = layOut(inPath, input.moov, tracks, plan);
  const out = preparedOutput(outPath);
  try {
    await writeFile(inPath, out.partPath, [FILE_TYPE, moov, mdatHeader], laidOut, plan, options);
  } catch (e) {
    out.discard();
    throw e instanceof UserError ? e : new UserError(`${outPath}: ${firstLine(e)}`);
  }
  const bytes = out.commit();
  return { path: path.resolve(outPath), bytes, tracks: (await inspectMp4(outPath)).tracks };
}

/**
 * The moov with every chunk's offset in the output. Offsets take 32 bits (stco) unless the file passes 4 GiB
 * (co64), which changes the moov's size and so every offset: the size is found first with offsets of 0.
 */
function layOut(file: string, inputMoov: Buffer, tracks: TrackSamples[], plan: PlannedChunk[]): { moov: Uint8Array; mdatHeader: Uint8Array; laidOut: LaidOutTrack[] } {
  const mediaBytes = plan.reduce((n, c) => n + c.bytes, 0);
  const mdat = Buffer.from('mdat', 'latin1');
  // past 4 GiB the size goes in a 64-bit largesize after the type, the 32-bit one saying 1
  const mdatHeader = fits32(mediaBytes + 8) ? Buffer.concat([u32(mediaBytes + 8), mdat]) : Buffer.concat([u32(1), mdat, u64(mediaBytes + 16)]);
  const build = (wide: boolean, dataStart: number) => {
    const laidOut = placeChunks(tracks, plan, dataStart);
    return { moov: progressiveMoov(file, inputMoov, laidOut, wide), laidOut };
  };
  const narrowSize = build(false, 0).moov.length;
  const wide = FILE_TYPE.length + narrowSize + mdatHeader.length + mediaBytes > 0xffffffff;
  const moovSize = wide ? build(true, 0).moov.length : narrowSize;
  return { ...build(wide, FILE_TYPE.length + moovSize + mdatHeader.length), mdatHeader };
}

/** Each track with its chunks at their offsets, the chunks following one another in the plan's order. */
function placeChunks(tracks: TrackSamples[], plan: PlannedChunk[], dataStart: number): LaidOutTrack[] {
  const laidOut: LaidOutTrack[] = tracks.map((t) => ({ ...t, chunks: [] }));
  let at = dataStart;
  for (const c of plan) {
    laidOut[c.track].chunks.push({ first: c.first, count: c.count, offset: at });
    at += c.bytes;
  }
  return laidOut;
}

async function writeFile(inPath: string, partPath: string, head: Uint8Array[], tracks: LaidOutTrack[], plan: PlannedChunk[], options: RemuxOptions): Promise<void> {
  const total = plan.reduce((n, c) => n + c.count, 0);
  const input = await fs.promises.open(inPath, 'r');
  try {
    const output = await fs.promises.open(partPath, 'w');
    try {
      for (const part of head) await output.write(part);
      let written = 0;
      for (const c of plan) {
        await output.write(await readChunk(inPath, input, tracks[c.track].samples.slice(c.first, c.first + c.count), c.bytes));
        written += c.count;
        options.onProgress?.(written, total);
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** A chunk's samples back to back, read in as few reads as lie close together in the input. */
async function readChunk(inPath: string, input: fs.promises.FileHandle, samples: Sample[], bytes: number): Promise<Buffer> {
  const chunk = Buffer.alloc(bytes);
  let at = 0;
  for (let i = 0; i < samples.length; ) {
    let j = i + 1;
    while (j < samples.length && samples[j].offset >= end(samples[j - 1]) && samples[j].offset - end(samples[j - 1]) <= READ_ACROSS) j++;
    const from = samples[i].offset;
    const span = Buffer.alloc(end(samples[j - 1]) - from);
    const { bytesRead } = await input.read(span, 0, span.length, from);
    if (bytesRead < span.length) throw new UserError(`${inPath} became shorter while it was read`);
    for (; i < j; i++) {
      span.copy(chunk, at, samples[i].offset - from, end(samples[i]) - from);
      at += samples[i].size;
    }
  }
  return chunk;
}

const end = (s: Sample) => s.offset + s.size;
