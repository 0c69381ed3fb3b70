// Cuts a raw Annex-B stream (.264/.265 as the K230's VENC or `ffmpeg -f h264` writes it) into NAL units and
// pictures, so each picture can become one MP4 sample with its bytes untouched.
import { UserError } from '../../shared/user-error';

export type VideoCodec = 'h264' | 'h265';

/** One coded picture with the parameter sets and SEI sent ahead of it: one MP4 sample. */
export interface AccessUnit {
  /** NAL units (header + payload, no start code), in stream order */
  nals: Uint8Array[];
  /** an IDR (H.264) or IRAP (H.265) picture: decoding can start here */
  keyframe: boolean;
}

export const H264 = { SLICE: 1, IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9 } as const;
export const H265 = { BLA_W_LP: 16, IDR_W_RADL: 19, IDR_N_LP: 20, CRA: 21, VPS: 32, SPS: 33, PPS: 34, AUD: 35, PREFIX_SEI: 39 } as const;

export function nalType(codec: VideoCodec, nal: Uint8Array): number {
  return codec === 'h264' ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f;
}

export function isVcl(codec: VideoCodec, type: number): boolean {
  return codec === 'h264' ? type >= 1 && type <= 5 : type <= 31;
}

export function isKeyframeNal(codec: VideoCodec, type: number): boolean {
  // H.265: every IRAP picture (BLA, IDR, CRA) is a random-access point.
  return codec === 'h264' ? type === H264.IDR : type >= H265.BLA_W_LP && type <= H265.CRA;
}

/**
 * The NAL units of an Annex-B stream, as views into it: start codes, and the zero bytes that may pad
 * them (leading_zero_8bits, trailing_zero_8bits), are not part of any unit.
 */
export function* splitNalUnits(stream: Uint8Array): Generator<Uint8Array> {
  let start = -1;
  let from = 2;
  for (;;) {
    const one = stream.indexOf(1, from);
    if (one === -1) break;
    from = one + 1;
    if (stream[one - 1] !== 0 || stream[one - 2] !== 0) continue;
    if (start === -1) {
      // Only zero bytes may come before the first start code.
      for (let i = 0; i < one - 2; i++) if (stream[i] !== 0) throw new UserError('it is not an Annex-B stream (no start code at the beginning)');
    } else {
      const nal = trimZeros(stream, start, one - 2);
      if (nal.length > 0) yield nal;
    }
    start = one + 1;
  }
  if (start === -1) throw new UserError('it is not an Annex-B stream (no start code found)');
  const last = trimZeros(stream, start, stream.length);
  if (last.length > 0) yield last;
}

function trimZeros(stream: Uint8Array, start: number, end: number): Uint8Array {
  // A NAL unit never ends in a zero byte (its RBSP ends with the stop bit), so zeros here belong to the next start code.
  while (end > start && stream[end - 1] === 0) end--;
  return stream.subarray(start, end);
}

/** Starts a new access unit when it follows a picture (H.264 7.4.1.2.3, H.265 7.4.2.4.4). */
function opensAccessUnit(codec: VideoCodec, type: number): boolean {
  if (codec === 'h264') return type === H264.AUD || type === H264.SPS || type === H264.PPS || type === H264.SEI || (type >= 14 && type <= 18);
  return (type >= H265.VPS && type <= H265.AUD) || type === H265.PREFIX_SEI || (type >= 41 && type <= 44) || (type >= 48 && type <= 55);
}

/** The first slice of a picture: first_mb_in_slice == 0 (H.264), first_slice_segment_in_pic_flag (H.265). */
function startsPicture(codec: VideoCodec, nal: Uint8Array): boolean {
  // Both are the first bit after the NAL header (ue(v) 0 is the single bit 1), and that byte can never be an
  // emulation-prevention byte, which only follows two zero bytes.
  const at = codec === 'h264' ? 1 : 2;
  return nal.length > at && (nal[at] & 0x80) !== 0;
}

/**
 * Groups NAL units into access units: a new one begins at an AUD, a parameter set or SEI after a
 * picture, or the first slice of a new picture. Units after the last picture join it.
 */
export function groupAccessUnits(codec: VideoCodec, nals: Iterable<Uint8Array>): AccessUnit[] {
  const units: AccessUnit[] = [];
  let current: AccessUnit = { nals: [], keyframe: false };
  let hasPicture = false;
  for (const nal of nals) {
    const type = nalType(codec, nal);
    const vcl = isVcl(codec, type);
    if (hasPicture && ((vcl && startsPicture(codec, nal)) || (!vcl && opensAccessUnit(codec, type)))) {
      units.push(current);
      current = { nals: [], keyframe: false };
      hasPicture = false;
    }
    current.nals.push(nal);
    if (vcl) {
      hasPicture = true;
      if (isKeyframeNal(codec, type)) current.keyframe = true;
    }
  }
  if (hasPicture) units.push(current);
  else if (units.length > 0) units[units.length - 1].nals.push(...current.nals);
  return units;
}

/** Which codec the stream's parameter sets belong to, or undefined when neither set is found early on. */
export function sniffCodec(nals: Iterable<Uint8Array>, lookAt = 64): VideoCodec | undefined {
  const h264 = new Set<number>();
  const h265 = new Set<number>();
  let seen = 0;
  for (const nal of nals) {
    if (++seen > lookAt) break;
    if (nal[0] & 0x80) return undefined; // forbidden_zero_bit: not video
    h264.add(nalType('h264', nal));
    // H.265 headers are two bytes: nuh_layer_id 0 and a non-zero nuh_temporal_id_plus1 in a base-layer stream.
    if (nal.length >= 2 && (nal[0] & 1) === 0 && (nal[1] & 0xf8) === 0 && (nal[1] & 7) !== 0) h265.add(nalType('h265', nal));
  }
  if ([H265.VPS, H265.SPS, H265.PPS].every((t) => h265.has(t))) return 'h265';
  if ([H264.SPS, H264.PPS].every((t) => h264.has(t))) return 'h264';
  return undefined;
}

/** NAL units back into Annex-B bytes with 4-byte start codes: what mediabunny takes when given no decoder description. */
export function toAnnexB(nals: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nals.reduce((n, nal) => n + 4 + nal.length, 0));
  let at = 0;
  for (const nal of nals) {
    out[at + 3] = 1;
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}
