// Puts a raw .264/.265 stream (a VENC dump, `ffmpeg -f h264`) into an MP4 without re-encoding: each picture
// becomes one sample holding the input's NAL units, stamped frame_index / fps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EncodedPacket, EncodedVideoPacketSource, FilePathTarget, Mp4OutputFormat, Output } from 'mediabunny';
import { UserError } from '../../shared/user-error';
import { AccessUnit, H264, H265, VideoCodec, groupAccessUnits, nalType, sniffCodec, splitNalUnits, toAnnexB } from '../bitstream/annexb';
import { firstLine, openForReading, preparedOutput } from '../mp4/mp4-files';
import { PictureOrderCheck } from '../bitstream/picture-order';
import { AvcSps, FrameRate, HevcSps, codecString, fps, parseAvcSps, parseHevcSps, parseHevcVpsFrameRate } from '../bitstream/sps';

export interface ConvertOptions {
  /** frames per second; default: the stream's own timing info (SPS VUI, or the VPS for H.265) */
  fps?: number;
  /** moov before mdat, so a player can start before it has the whole file */
  faststart?: boolean;
  onProgress?: (framesWritten: number, framesTotal: number) => void;
}

export interface ConvertSummary {
  path: string;
  /** RFC 6381, as in the file's sample entry */
  codec: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  keyframes: number;
  durationS: number;
  bytes: number;
  /** pictures before the first keyframe, which no player could decode: left out */
  skippedBeforeKeyframe: number;
}

const EXTENSIONS: Record<string, VideoCodec> = { '.264': 'h264', '.h264': 'h264', '.avc': 'h264', '.265': 'h265', '.h265': 'h265', '.hevc': 'h265' };

export async function convertRawToMp4(inPath: string, outPath: string, options: ConvertOptions = {}): Promise<ConvertSummary> {
  if (options.fps !== undefined && !(options.fps > 0 && Number.isFinite(options.fps))) throw new UserError(`the frame rate must be a positive number (got ${options.fps})`);
  if (path.resolve(inPath) === path.resolve(outPath)) throw new UserError(`${outPath}: the output would overwrite the input`);
  const stream = readInput(inPath);
  const { codec, units, skipped } = readPictures(inPath, stream);
  const first = describeStream(inPath, codec, units);
  checkStream(inPath, codec, units, first.sps);

  const rate = options.fps !== undefined ? { num: options.fps, den: 1 } : first.frameRate;
  if (!rate) throw new UserError(`${inPath} carries no frame rate (no timing info in its SPS${codec === 'h265' ? ' or VPS' : ''}): give one with --fps`);
  const frameS = rate.den / rate.num;
  // mediabunny writes the sample entry as avc1 / hvc1 whatever the string's prefix; say what the file holds.
  const codecId = codecString(first.sps, codec === 'h264' ? 'avc1' : 'hvc1');

  const out = preparedOutput(outPath);
  const output = new Output({
    // 'reserve' writes moov into space kept ahead of mdat, so the samples still stream to disk.
    format: new Mp4OutputFormat({ fastStart: options.faststart ? 'reserve' : false }),
    target: new FilePathTarget(out.partPath),
  });
  const source = new EncodedVideoPacketSource(codec === 'h264' ? 'avc' : 'hevc');
  output.addVideoTrack(source, { frameRate: fps(rate), maximumPacketCount: units.length });
  try {
    await output.start();
    for (let i = 0; i < units.length; i++) {
      // Annex-B in, no description: mediabunny builds avcC/hvcC from the first sample's parameter sets and
      // length-prefixes every NAL unit, leaving the NAL bytes (parameter sets in the samples too) as they were.
      const packet = new EncodedPacket(toAnnexB(units[i].nals), units[i].keyframe ? 'key' : 'delta', i * frameS, frameS);
      await source.add(packet, i === 0 ? { decoderConfig: { codec: codecId, codedWidth: first.sps.width, codedHeight: first.sps.height } } : undefined);
      options.onProgress?.(i + 1, units.length);
    }
    await output.finalize();
  } catch (e) {
    await output.cancel().catch(() => undefined);
    out.discard();
    throw e instanceof UserError ? e : new UserError(`${outPath}: ${firstLine(e)}`);
  }
  const bytes = out.commit();
  return {
    path: path.resolve(outPath),
    codec: codecId,
    width: first.sps.width,
    height: first.sps.height,
    fps: fps(rate),
    frames: units.length,
    keyframes: units.filter((u) => u.keyframe).length,
    durationS: units.length * frameS,
    bytes,
    skippedBeforeKeyframe: skipped,
  };
}

function readInput(inPath: string): Uint8Array {
  const fd = openForReading(inPath);
  try {
    const stream = fs.readFileSync(fd);
    if (stream.length === 0) throw new UserError(`${inPath} is empty`);
    return stream;
  } finally {
    fs.closeSync(fd);
  }
}

/** The stream's pictures from the first keyframe on, whose sample carries the parameter sets sent before it. */
function readPictures(inPath: string, stream: Uint8Array): { codec: VideoCodec; units: AccessUnit[]; skipped: number } {
  let nals: Uint8Array[];
  try {
    nals = [...splitNalUnits(stream)];
  } catch (e) {
    throw e instanceof UserError ? new UserError(`${inPath} is not raw H.264/H.265: ${e.message}`) : e;
  }
  const codec = sniffCodec(nals) ?? EXTENSIONS[path.extname(inPath).toLowerCase()];
  if (!codec) throw new UserError(`${inPath} is not raw H.264/H.265: no parameter sets (SPS/PPS) found`);
  const all = groupAccessUnits(codec, nals);
  const start = all.findIndex((u) => u.keyframe);
  if (start === -1) throw new UserError(`${inPath} has no keyframe (${codec === 'h264' ? 'IDR' : 'IRAP'} picture): nothing a player could decode`);
  const carried = all.slice(0, start).flatMap((u) => u.nals.filter((nal) => isParameterSet(codec, nalType(codec, nal))));
  const units = all.slice(start);
  if (carried.length > 0) units[0] = { ...units[0], nals: [...carried, ...units[0].nals] };
  return { codec, units, skipped: start };
}

function isParameterSet(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type === H264.SPS || type === H264.PPS : type >= H265.VPS && type <= H265.PPS;
}

/** The first keyframe's parameter sets: what the MP4's sample entry describes. */
function describeStream(inPath: string, codec: VideoCodec, units: AccessUnit[]): { sps: AvcSps | HevcSps; frameRate?: FrameRate } {
  const types = new Map(units[0].nals.map((nal) => [nalType(codec, nal), nal]));
  const needed = codec === 'h264' ? [H264.SPS, H264.PPS] : [H265.VPS, H265.SPS, H265.PPS];
  const missing = needed.filter((t) => !types.has(t));
  if (missing.length > 0) {
    const names: Record<number, string> = codec === 'h264' ? { [H264.SPS]: 'SPS', [H264.PPS]: 'PPS' } : { [H265.VPS]: 'VPS', [H265.SPS]: 'SPS', [H265.PPS]: 'PPS' };
    throw new UserError(`${inPath}: no ${missing.map((t) => names[t]).join('/')} before the first keyframe, so the MP4 could not describe the stream`);
  }
  if (codec === 'h264') {
    const sps = parseAvcSps(types.get(H264.SPS)!);
    return { sps, frameRate: sps.frameRate };
  }
  const sps = parseHevcSps(types.get(H265.SPS)!);
  return { sps, frameRate: parseHevcVpsFrameRate(types.get(H265.VPS)!) ?? sps.frameRate };
}

/** Refuses what this converter would get wrong: pictures shown out of sending order, a picture size that changes. */
function checkStream(inPath: string, codec: VideoCodec, units: AccessUnit[], first: AvcSps | HevcSps): void {
  const order = new PictureOrderCheck(codec);
  const spsType = codec === 'h264' ? H264.SPS : H265.SPS;
  let lastSps: Uint8Array | undefined;
  units.forEach((unit, i) => {
    order.add(unit);
    for (const nal of unit.nals) {
      if (nalType(codec, nal) !== spsType || (lastSps && Buffer.compare(nal, lastSps) === 0)) continue;
      lastSps = nal;
      const sps = codec === 'h264' ? parseAvcSps(nal) : parseHevcSps(nal);
      if (sps.width !== first.width || sps.height !== first.height) {
        throw new UserError(`${inPath}: the picture size changes from ${first.width}x${first.height} to ${sps.width}x${sps.height} at frame ${i}; one MP4 track cannot hold both`);
      }
    }
  });
  if (order.firstReordered !== undefined) {
    throw new UserError(
      `${inPath} has B-frames (frame ${order.firstReordered} is shown before one sent earlier): convert stamps frames in the order they come, so it takes streams without B-frames only`,
    );
  }
}
