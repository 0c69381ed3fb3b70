// Finds pictures shown before one sent earlier (B-frame reordering): the converter stamps picture i at i/fps,
// which is right only when pictures are shown in the order they are sent.
import { AccessUnit, H264, H265, VideoCodec, isVcl, nalType } from './annexb';
import { BitReader, unescapeRbsp } from './bits';
import { AvcSps, HevcSps, parseAvcSps, parseHevcSps } from './sps';

interface HevcPps {
  spsId: number;
  outputFlagPresent: boolean;
  extraSliceHeaderBits: number;
}

/** Feed access units in stream order; `firstReordered` is the index of the first picture shown out of order. */
export class PictureOrderCheck {
  firstReordered: number | undefined;
  private readonly avcSps = new Map<number, AvcSps>();
  private readonly hevcSps = new Map<number, HevcSps>();
  /** H.264: PPS id -> SPS id; H.265: the fields a slice header needs */
  private readonly avcPps = new Map<number, number>();
  private readonly hevcPps = new Map<number, HevcPps>();
  private index = 0;
  private lastPoc: number | undefined;
  /** POC MSB/LSB of the picture the next one's POC is derived from (H.264: previous reference; H.265: prevTid0Pic) */
  private prevMsb = 0;
  private prevLsb = 0;
  /** H.265: the next CRA starts a new sequence (first picture, or after an end of sequence) */
  private newSequence = true;

  constructor(private readonly codec: VideoCodec) {}

  add(au: AccessUnit): void {
    for (const nal of au.nals) {
      const type = nalType(this.codec, nal);
      if (this.codec === 'h264') {
        if (type === H264.SPS) this.remember(this.avcSps, parseAvcSps(nal));
        else if (type === H264.PPS) this.rememberAvcPps(nal);
        else if (isVcl('h264', type) && (nal[1] & 0x80)) this.seeAvcPicture(nal, type);
      } else {
        if (type === H265.SPS) this.remember(this.hevcSps, parseHevcSps(nal));
        else if (type === H265.PPS) this.rememberHevcPps(nal);
        else if (type === 36 || type === 37) this.newSequence = true; // EOS_NUT, EOB_NUT
        else if (isVcl('h265', type) && (nal[2] & 0x80)) this.seeHevcPicture(nal, type);
      }
    }
    this.index++;
  }

  private remember<T extends { spsId: number }>(map: Map<number, T>, sps: T): void {
    map.set(sps.spsId, sps);
  }

  private rememberAvcPps(nal: Uint8Array): void {
    const r = new BitReader(unescapeRbsp(nal.subarray(1)), 'H.264 PPS');
    const ppsId = r.ue();
    this.avcPps.set(ppsId, r.ue());
  }

  private rememberHevcPps(nal: Uint8Array): void {
    const r = new BitReader(unescapeRbsp(nal.subarray(2)), 'H.265 PPS');
    const ppsId = r.ue();
    const spsId = r.ue();
    r.skip(1); // dependent_slice_segments_enabled_flag
    this.hevcPps.set(ppsId, { spsId, outputFlagPresent: r.flag(), extraSliceHeaderBits: r.u(3) });
  }

  private see(poc: number, restart: boolean): void {
    if (!restart && this.lastPoc !== undefined && poc <= this.lastPoc && this.firstReordered === undefined) this.firstReordered = this.index;
    this.lastPoc = poc;
  }

  /** 8.2.1: only POC type 0 can reorder in a way a slice header shows; type 2 never reorders, type 1 is judged by B slices. */
  private seeAvcPicture(nal: Uint8Array, type: number): void {
    const r = new BitReader(unescapeRbsp(nal.subarray(1, 64)), 'H.264 slice header');
    r.ue(); // first_mb_in_slice
    const sliceType = r.ue();
    const sps = this.avcSps.get(this.avcPps.get(r.ue()) ?? -1);
    if (!sps) return;
    const idr = type === H264.IDR;
    if (sps.picOrderCntType === 1) {
      if (sliceType % 5 === 1 && this.firstReordered === undefined) this.firstReordered = this.index;
      return;
    }
    if (sps.picOrderCntType !== 0) return;
    if (sps.separateColourPlane) r.skip(2);
    r.skip(sps.log2MaxFrameNum);
    if (!sps.frameMbsOnly && r.flag()) r.skip(1); // field_pic_flag, bottom_field_flag
    if (idr) r.ue(); // idr_pic_id
    const lsb = r.u(sps.log2MaxPocLsb);
    if (idr) this.prevMsb = this.prevLsb = 0;
    const msb = pocMsb(lsb, this.prevLsb, this.prevMsb, 2 ** sps.log2MaxPocLsb);
    if (nal[0] & 0x60) {
      // nal_ref_idc != 0: a reference picture anchors the next derivation.
      this.prevMsb = msb;
      this.prevLsb = lsb;
    }
    this.see(msb + lsb, idr);
  }

  /** 8.3.1 */
  private seeHevcPicture(nal: Uint8Array, type: number): void {
    const r = new BitReader(unescapeRbsp(nal.subarray(2, 64)), 'H.265 slice header');
    r.skip(1); // first_slice_segment_in_pic_flag
    const irap = type >= H265.BLA_W_LP && type <= 23;
    if (irap) r.skip(1); // no_output_of_prior_pics_flag
    const pps = this.hevcPps.get(r.ue());
    const sps = pps && this.hevcSps.get(pps.spsId);
    if (!pps || !sps) return;
    const idr = type === H265.IDR_W_RADL || type === H265.IDR_N_LP;
    const restart = irap && (idr || type < H265.IDR_W_RADL || this.newSequence); // NoRaslOutputFlag: IDR, BLA, a CRA that begins a sequence
    this.newSequence = false;
    if (sps.maxNumReorderPics === 0) return this.see(0, true); // the SPS promises no reordering (7.4.3.2.1)
    r.skip(pps.extraSliceHeaderBits);
    r.ue(); // slice_type
    if (pps.outputFlagPresent) r.skip(1);
    if (sps.separateColourPlane) r.skip(2);
    const lsb = idr ? 0 : r.u(sps.log2MaxPocLsb);
    const msb = restart ? 0 : pocMsb(lsb, this.prevLsb, this.prevMsb, 2 ** sps.log2MaxPocLsb);
    const temporalId = (nal[1] & 7) - 1;
    const subLayerNonReference = type <= 14 && type % 2 === 0;
    const leading = type >= 6 && type <= 9; // RADL, RASL
    if (temporalId === 0 && !subLayerNonReference && !leading) {
      this.prevMsb = msb;
      this.prevLsb = lsb;
    }
    this.see(msb + lsb, restart);
  }
}

/** PicOrderCntMsb from the LSB and the anchor picture's (H.264 8-3, H.265 8-1). */
function pocMsb(lsb: number, prevLsb: number, prevMsb: number, maxLsb: number): number {
  if (lsb < prevLsb && prevLsb - lsb >= maxLsb / 2) return prevMsb + maxLsb;
  if (lsb > prevLsb && lsb - prevLsb > maxLsb / 2) return prevMsb - maxLsb;
  return prevMsb;
}
