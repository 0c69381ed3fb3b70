// Turns a fragmented MP4 (a recording: ftyp+moov, then moof+mdat per frame) into a progressive one with the moov
// first, copying every sample as it is: no decoding, no encoding, timestamps kept to the input's timescale.
import * as path from 'node:path';
import {
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  FilePathSource,
  FilePathTarget,
  Input,
  InputTrack,
  MP4,
  Mp4OutputFormat,
  Output,
  QTFF,
} from 'mediabunny';
import { UserError } from '../errors';
import { firstLine, preparedOutput } from './files';
import { inspectMp4, readTracks, TrackSummary } from './inspect';
import { readMp4Layout } from './mp4-layout';

export interface RemuxOptions {
  onProgress?: (packetsWritten: number, packetsTotal: number) => void;
}

export interface RemuxSummary {
  path: string;
  bytes: number;
  /** as read back from the written file */
  tracks: TrackSummary[];
}

export async function remuxToFaststart(inPath: string, outPath: string, options: RemuxOptions = {}): Promise<RemuxSummary> {
  if (path.resolve(inPath) === path.resolve(outPath)) throw new UserError(`${outPath}: the output would overwrite the input`);
  readMp4Layout(inPath); // one clear line for what is not an MP4, before mediabunny sees it
  const input = new Input({ source: new FilePathSource(inPath), formats: [MP4, QTFF] });
  try {
    const tracks = (await readTracks(inPath, input)).filter((t) => t.isVideoTrack() || t.isAudioTrack());
    if (tracks.length === 0) throw new UserError(`${inPath} has no video or audio track`);
    // 'reserve' needs each track's sample count up front: one pass over the sample tables, no media read.
    const counts = await Promise.all(tracks.map(countPackets));
    const total = counts.reduce((a, b) => a + b, 0);
    const out = preparedOutput(outPath);
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'reserve' }), target: new FilePathTarget(out.partPath) });
    try {
      const copies = await Promise.all(tracks.map((track, i) => addCopy(output, track, counts[i])));
      await output.start();
      let written = 0;
      const onPacket = () => options.onProgress?.(++written, total);
      await Promise.all(copies.map((copy) => copy(onPacket)));
      await output.finalize();
    } catch (e) {
      await output.cancel().catch(() => undefined);
      out.discard();
      throw e instanceof UserError ? e : new UserError(`${outPath}: ${firstLine(e)}`);
    }
    const bytes = out.commit();
    return { path: path.resolve(outPath), bytes, tracks: (await inspectMp4(outPath)).tracks };
  } finally {
    input.dispose();
  }
}

async function countPackets(track: InputTrack): Promise<number> {
  let n = 0;
  for await (const _ of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) n++;
  return n;
}

/** Adds the track to the output; the returned function copies its packets, in decode order. */
async function addCopy(output: Output, track: InputTrack, count: number): Promise<(onPacket: () => void) => Promise<void>> {
  // mediabunny derives the track's timescale from frameRate (its reciprocal's denominator): giving it the
  // input's time resolution keeps every timestamp and duration exact instead of snapping it to 1/57600 s.
  const resolution = await track.getTimeResolution();
  if (track.isVideoTrack()) {
    const codec = await track.getCodec();
    const decoderConfig = await track.getDecoderConfig();
    if (!codec || !decoderConfig) throw new UserError(`track ${track.id} has a codec this tool does not know`);
    const source = new EncodedVideoPacketSource(codec);
    output.addVideoTrack(source, { frameRate: resolution, maximumPacketCount: count, rotation: await track.getRotation() });
    return copyPackets(track, (packet, first) => source.add(packet, first ? { decoderConfig } : undefined));
  }
  if (!track.isAudioTrack()) throw new UserError(`track ${track.id} is neither video nor audio`);
  const codec = await track.getCodec();
  const decoderConfig = await track.getDecoderConfig();
  if (!codec || !decoderConfig) throw new UserError(`track ${track.id} has a codec this tool does not know`);
  const source = new EncodedAudioPacketSource(codec);
  output.addAudioTrack(source, { maximumPacketCount: count });
  return copyPackets(track, (packet, first) => source.add(packet, first ? { decoderConfig } : undefined));
}

function copyPackets(track: InputTrack, add: (packet: EncodedPacket, first: boolean) => Promise<void>) {
  return async (onPacket: () => void) => {
    let first = true;
    for await (const packet of new EncodedPacketSink(track).packets()) {
      await add(packet, first);
      first = false;
      onPacket();
    }
  };
}
