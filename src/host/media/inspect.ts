// What an MP4 holds, read from its boxes alone (no decoding): tracks, codecs, frames, keyframes, layout.
import { EncodedPacketSink, FilePathSource, Input, InputTrack, MP4, QTFF } from 'mediabunny';
import { UserError } from '../errors';
import { firstLine } from './files';
import { readMp4Layout } from './mp4-layout';

export interface TrackSummary {
  id: number;
  type: 'video' | 'audio' | 'subtitle';
  /** RFC 6381, with the sample entry's own four-character code (avc1, hvc1, hev1, ...) */
  codec: string | null;
  /** video only: the sample entry's size */
  width?: number;
  height?: number;
  durationS: number;
  frames: number;
  keyframes: number;
}

export interface Mp4Summary {
  path: string;
  bytes: number;
  fragmented: boolean;
  moovBeforeMdat: boolean;
  tracks: TrackSummary[];
}

export async function inspectMp4(file: string): Promise<Mp4Summary> {
  const layout = readMp4Layout(file);
  const input = new Input({ source: new FilePathSource(file), formats: [MP4, QTFF] });
  try {
    const tracks: TrackSummary[] = [];
    for (const track of await readTracks(file, input)) tracks.push(await summarizeTrack(track));
    return { path: file, bytes: layout.bytes, fragmented: layout.fragmented, moovBeforeMdat: layout.moovBeforeMdat, tracks };
  } finally {
    input.dispose();
  }
}

export async function readTracks(file: string, input: Input): Promise<InputTrack[]> {
  try {
    return await input.getTracks();
  } catch (e) {
    throw new UserError(`${file} could not be read as an MP4: ${firstLine(e)}`);
  }
}

async function summarizeTrack(track: InputTrack): Promise<TrackSummary> {
  let frames = 0;
  let keyframes = 0;
  let start = Infinity;
  let end = -Infinity;
  // Metadata only: timestamps and sync flags come from the sample tables or the fragments' trun boxes.
  for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) {
    frames++;
    if (packet.type === 'key') keyframes++;
    start = Math.min(start, packet.timestamp);
    end = Math.max(end, packet.timestamp + packet.duration);
  }
  const summary: TrackSummary = { id: track.id, type: track.type, codec: await codecOf(track), durationS: frames > 0 ? end - start : 0, frames, keyframes };
  if (track.isVideoTrack()) {
    summary.width = await track.getCodedWidth();
    summary.height = await track.getCodedHeight();
  }
  return summary;
}

/** mediabunny names every H.265 track "hev1.…"; the file's sample entry may say hvc1. */
export async function codecOf(track: InputTrack): Promise<string | null> {
  const codec = await track.getCodecParameterString();
  const entry = await track.getInternalCodecId();
  if (!codec || typeof entry !== 'string' || !/^(avc[13]|hvc1|hev1)$/.test(entry)) return codec;
  return entry + codec.slice(codec.indexOf('.'));
}
