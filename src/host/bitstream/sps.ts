// Reads what an MP4 needs from H.264/H.265 parameter sets: picture size, frame rate, and the RFC 6381 codec string.
import { UserError } from '../../shared/user-error';
import { BitReader, unescapeRbsp } from './bits';

export interface FrameRate {
  /** frames per `den` seconds: fps = num / den */
  num: number;
  den: number;
}

export interface AvcSps {
  codec: 'h264';
  profileIdc: number;
  /** constraint_set0..5 flags and the two reserved bits, as the byte in the stream */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  /** only with picOrderCntType 0 */
  log2MaxPocLsb: number;
  frameMbsOnly: boolean;
  /** after frame cropping */
  width: number;
  height: number;
  /** from the VUI timing info; undefined when absent */
  frameRate?: FrameRate;
  /** from the VUI bitstream restriction; undefined when absent */
  maxNumReorderFrames?: number;
}

export interface HevcProfileTierLevel {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag 0 in the most significant bit, as in the stream */
  compatibilityFlags: number;
  /** the 48 bits from general_progressive_source_flag on */
  constraintBytes: number[];
  levelIdc: number;
}

export interface HevcSps extends HevcProfileTierLevel {
  codec: 'h265';
  spsId: number;
  vpsId: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxPocLsb: number;
  maxNumReorderPics: number;
  /** after the conformance window */
  width: number;
  height: number;
  /** from the VUI timing info; undefined when absent (see parseHevcVpsFrameRate for the VPS's) */
  frameRate?: FrameRate;
}

const AVC_HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an H.264 SPS NAL unit (with its one-byte header). */
export function parseAvcSps(nal: Uint8Array): AvcSps {
  const r = new BitReader(unescapeRbsp(nal.subarray(1)), 'H.264 SPS');
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = r.ue();
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (AVC_HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = 8 + r.ue();
    bitDepthChroma = 8 + r.ue();
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      for (let i = 0; i < (chromaFormatIdc !== 3 ? 8 : 12); i++) if (r.flag()) skipAvcScalingList(r, i < 6 ? 16 : 64);
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  const picOrderCntType = r.ue();
  let log2MaxPocLsb = 0;
  if (picOrderCntType === 0) {
    log2MaxPocLsb = r.ue() + 4;
  } else if (picOrderCntType === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  const crop = r.flag() ? [r.ue(), r.ue(), r.ue(), r.ue()] : [0, 0, 0, 0];
  // Crop units (7.4.2.1.1): chroma samples, and field pairs when the stream may hold fields.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const cropUnitX = chromaArrayType === 0 ? 1 : chromaFormatIdc === 3 ? 1 : 2;
  const cropUnitY = (chromaArrayType === 0 ? 1 : chromaFormatIdc === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  const sps: AvcSps = {
    codec: 'h264',
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    separateColourPlane,
    bitDepthLuma,
    bitDepthChroma,
    log2MaxFrameNum,
    picOrderCntType,
    log2MaxPocLsb,
    frameMbsOnly,
    width: widthMbs * 16 - cropUnitX * (crop[0] + crop[1]),
    height: heightMapUnits * 16 * (frameMbsOnly ? 1 : 2) - cropUnitY * (crop[2] + crop[3]),
  };
  if (r.flag()) readAvcVui(r, sps);
  return sps;
}

function skipAvcScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

function readAvcVui(r: BitReader, sps: AvcSps): void {
  if (r.flag() && r.u(8) === 255) r.skip(32); // aspect_ratio_idc, Extended_SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) r.skip(r.u(5) & 1 ? 24 : 0); // video_format, full range; colour description (3 bytes) when flagged
  if (r.flag()) r.skipUe(2); // chroma sample location
  if (r.flag()) {
    const unitsInTick = r.u(32);
    const timeScale = r.u(32);
    r.skip(1); // fixed_frame_rate_flag
    // One frame is two field ticks (E.2.1): fps = time_scale / (2 * num_units_in_tick).
    if (unitsInTick > 0 && timeScale > 0) sps.frameRate = reduce(timeScale, 2 * unitsInTick);
  }
  const nalHrd = r.flag();
  if (nalHrd) skipAvcHrd(r);
  const vclHrd = r.flag();
  if (vclHrd) skipAvcHrd(r);
  if (nalHrd || vclHrd) r.skip(1); // low_delay_hrd_flag
  r.skip(1); // pic_struct_present_flag
  if (r.flag()) {
    r.skip(1); // motion_vectors_over_pic_boundaries_flag
    r.skipUe(4); // max_bytes_per_pic_denom .. log2_max_mv_length_vertical
    sps.maxNumReorderFrames = r.ue();
  }
}

function skipAvcHrd(r: BitReader): void {
  const count = r.ue() + 1;
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < count; i++) {
    r.skipUe(2); // bit_rate_value_minus1, cpb_size_value_minus1
    r.skip(1); // cbr_flag
  }
  r.skip(20); // four delay and length fields
}

/** Parses an H.265 SPS NAL unit (with its two-byte header). */
export function parseHevcSps(nal: Uint8Array): HevcSps {
  const r = new BitReader(unescapeRbsp(nal.subarray(2)), 'H.265 SPS');
  const vpsId = r.u(4);
  const maxSubLayers = r.u(3) + 1;
  r.skip(1); // sps_temporal_id_nesting_flag
  const ptl = readHevcProfileTierLevel(r, maxSubLayers);
  const spsId = r.ue();
  const chromaFormatIdc = r.ue();
  const separateColourPlane = chromaFormatIdc === 3 && r.flag();
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  const window = r.flag() ? [r.ue(), r.ue(), r.ue(), r.ue()] : [0, 0, 0, 0];
  const bitDepthLuma = 8 + r.ue();
  const bitDepthChroma = 8 + r.ue();
  const log2MaxPocLsb = r.ue() + 4;
  let maxNumReorderPics = 0;
  const allSubLayers = r.flag();
  for (let i = allSubLayers ? 0 : maxSubLayers - 1; i < maxSubLayers; i++) {
    r.ue(); // sps_max_dec_pic_buffering_minus1
    maxNumReorderPics = r.ue(); // the last one read is for the highest sub-layer
    r.ue(); // sps_max_latency_increase_plus1
  }
  // Window offsets are in chroma samples (Table 6-1).
  const subWidth = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
  const subHeight = chromaFormatIdc === 1 ? 2 : 1;
  const sps: HevcSps = {
    codec: 'h265',
    ...ptl,
    spsId,
    vpsId,
    chromaFormatIdc,
    separateColourPlane,
    bitDepthLuma,
    bitDepthChroma,
    log2MaxPocLsb,
    maxNumReorderPics,
    width: codedWidth - subWidth * (window[0] + window[1]),
    height: codedHeight - subHeight * (window[2] + window[3]),
  };
  // Everything from here on only matters for the VUI's timing info; a stream cut short of it still has a size.
  try {
    sps.frameRate = readHevcSpsTail(r, log2MaxPocLsb);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    sps.frameRate = undefined;
  }
  return sps;
}

function readHevcSpsTail(r: BitReader, log2MaxPocLsb: number): FrameRate | undefined {
  r.skipUe(6); // coding and transform block sizes, transform hierarchy depths
  if (r.flag() && r.flag()) skipHevcScalingListData(r);
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) {
    // PCM sample bit depths, block sizes, loop filter flag
    r.skip(8);
    r.skipUe(2);
    r.skip(1);
  }
  const numSets = r.ue();
  const deltaPocs: number[] = [];
  for (let i = 0; i < numSets; i++) deltaPocs.push(skipShortTermRefPicSet(r, i, deltaPocs));
  if (r.flag()) {
    const count = r.ue();
    for (let i = 0; i < count; i++) r.skip(log2MaxPocLsb + 1); // lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag
  }
  r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (!r.flag()) return undefined;
  // vui_parameters (E.2.1) up to the timing info
  if (r.flag() && r.u(8) === 255) r.skip(32); // aspect_ratio_idc, Extended_SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) r.skip(r.u(5) & 1 ? 24 : 0); // video_format, full range; colour description when flagged
  if (r.flag()) r.skipUe(2); // chroma sample location
  r.skip(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
  if (r.flag()) r.skipUe(4); // default display window
  if (!r.flag()) return undefined;
  const unitsInTick = r.u(32);
  const timeScale = r.u(32);
  return unitsInTick > 0 && timeScale > 0 ? reduce(timeScale, unitsInTick) : undefined;
}

function skipHevcScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
      } else {
        const coefs = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
        for (let i = 0; i < coefs; i++) r.se();
      }
    }
  }
}

/** Skips st_ref_pic_set(index) (7.3.7) and returns its NumDeltaPocs, which later sets predicted from it need. */
function skipShortTermRefPicSet(r: BitReader, index: number, deltaPocs: number[]): number {
  if (index !== 0 && r.flag()) {
    // inter_ref_pic_set_prediction_flag: in an SPS the reference is always the previous set.
    r.skip(1); // delta_rps_sign
    r.ue(); // abs_delta_rps_minus1
    let count = 0;
    for (let j = 0; j <= deltaPocs[index - 1]; j++) {
      const usedByCurrPic = r.flag();
      const useDelta = usedByCurrPic || r.flag();
      if (useDelta) count++;
    }
    return count;
  }
  const negative = r.ue();
  const positive = r.ue();
  for (let i = 0; i < negative + positive; i++) {
    r.ue(); // delta_poc_sX_minus1
    r.skip(1); // used_by_curr_pic_sX_flag
  }
  return negative + positive;
}

function readHevcProfileTierLevel(r: BitReader, maxSubLayers: number): HevcProfileTierLevel {
  const profileSpace = r.u(2);
  const tierFlag = r.u(1);
  const profileIdc = r.u(5);
  const compatibilityFlags = r.u(32);
  const constraintBytes = Array.from({ length: 6 }, () => r.u(8));
  const levelIdc = r.u(8);
  const subLayerFlags: [boolean, boolean][] = [];
  for (let i = 0; i < maxSubLayers - 1; i++) subLayerFlags.push([r.flag(), r.flag()]);
  if (maxSubLayers > 1) r.skip(2 * (9 - maxSubLayers)); // reserved_zero_2bits up to eight sub-layers
  for (const [profilePresent, levelPresent] of subLayerFlags) r.skip((profilePresent ? 88 : 0) + (levelPresent ? 8 : 0));
  return { profileSpace, tierFlag, profileIdc, compatibilityFlags, constraintBytes, levelIdc };
}

/** The frame rate in an H.265 VPS's timing info (7.3.2.1), or undefined when it has none. */
export function parseHevcVpsFrameRate(nal: Uint8Array): FrameRate | undefined {
  const r = new BitReader(unescapeRbsp(nal.subarray(2)), 'H.265 VPS');
  r.skip(12); // vps_video_parameter_set_id, base layer flags, vps_max_layers_minus1
  const maxSubLayers = r.u(3) + 1;
  r.skip(17); // vps_temporal_id_nesting_flag, vps_reserved_0xffff_16bits
  readHevcProfileTierLevel(r, maxSubLayers);
  const allSubLayers = r.flag();
  for (let i = allSubLayers ? 0 : maxSubLayers - 1; i < maxSubLayers; i++) r.skipUe(3); // DPB size, reorder, latency
  const maxLayerId = r.u(6);
  const layerSets = r.ue() + 1;
  r.skip((layerSets - 1) * (maxLayerId + 1)); // layer_id_included_flag
  if (!r.flag()) return undefined;
  const unitsInTick = r.u(32);
  const timeScale = r.u(32);
  return unitsInTick > 0 && timeScale > 0 ? reduce(timeScale, unitsInTick) : undefined;
}

function reduce(num: number, den: number): FrameRate {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

const hex2 = (v: number) => v.toString(16).padStart(2, '0');

/**
 * The RFC 6381 codec string: "avc1.PPCCLL" (ISO/IEC 14496-15 annex E's hex bytes), or for H.265
 * "hev1.[A-C]profile.compatibility.(L|H)level.constraints" with the compatibility flags bit-reversed
 * and trailing zero constraint bytes dropped (upper-case hex, as in 14496-15's examples).
 */
export function codecString(sps: AvcSps | HevcSps, sampleEntry?: 'avc1' | 'avc3' | 'hvc1' | 'hev1'): string {
  if (sps.codec === 'h264') return `${sampleEntry ?? 'avc1'}.${hex2(sps.profileIdc)}${hex2(sps.constraintFlags)}${hex2(sps.levelIdc)}`;
  let reversed = 0;
  for (let i = 0; i < 32; i++) if ((sps.compatibilityFlags >>> (31 - i)) & 1) reversed += 2 ** i;
  const constraints = [...sps.constraintBytes];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  return [
    sampleEntry ?? 'hev1',
    `${['', 'A', 'B', 'C'][sps.profileSpace]}${sps.profileIdc}`,
    reversed.toString(16).toUpperCase(),
    `${sps.tierFlag ? 'H' : 'L'}${sps.levelIdc}`,
    ...constraints.map((b) => b.toString(16).toUpperCase()),
  ].join('.');
}

/** Frames per second as a number, for display and for the MP4 muxer's timescale. */
export function fps(rate: FrameRate): number {
  return rate.num / rate.den;
}
