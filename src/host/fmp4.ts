// Small in-place edits of the agent's fragments; the bitstream inside mdat is never touched.
import { findBox } from '../shared/mp4-boxes';

export interface FragmentTiming {
  /** offset of the tfdt box (version 1: 64-bit baseMediaDecodeTime at +12) */
  tfdtAt: number;
  /** offset of the mfhd box (sequence_number at +12) */
  mfhdAt: number;
}

export function locateFragmentTiming(fragment: Uint8Array): FragmentTiming {
  if (!findBox(fragment, 'moof')) throw new Error('fragment has no moof');
  const mfhd = findBox(fragment, 'moof/mfhd');
  const tfdt = findBox(fragment, 'moof/traf/tfdt');
  if (!mfhd || !tfdt) throw new Error('fragment has no mfhd or tfdt');
  if (fragment[tfdt.start + 8] !== 1) throw new Error('fragment has no version-1 tfdt');
  return { tfdtAt: tfdt.start, mfhdAt: mfhd.start };
}

/** The track's timescale (ticks per second), from the init segment's mdhd. */
export function readTimescale(init: Uint8Array): number {
  const mdhd = findBox(init, 'moov/trak/mdia/mdhd');
  if (!mdhd) throw new Error('init segment has no mdhd');
  const at = mdhd.start + (init[mdhd.start + 8] === 1 ? 28 : 20);
  if (at + 4 > mdhd.end) throw new Error('init segment has a short mdhd');
  return new DataView(init.buffer, init.byteOffset, init.byteLength).getUint32(at);
}

export function readDecodeTime(fragment: Uint8Array): bigint {
  const { tfdtAt } = locateFragmentTiming(fragment);
  return new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength).getBigUint64(tfdtAt + 12);
}

/**
 * Returns a copy of the fragment moved to start `offset` ticks earlier and numbered `sequence`,
 * so a recording begins at t=0 with fragment 1 wherever in the stream it started.
 */
export function rebaseFragment(fragment: Uint8Array, offset: bigint, sequence: number): Uint8Array {
  const out = fragment.slice();
  const { tfdtAt, mfhdAt } = locateFragmentTiming(out);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const time = view.getBigUint64(tfdtAt + 12);
  if (time < offset) throw new Error('fragment is older than the recording start');
  view.setBigUint64(tfdtAt + 12, time - offset);
  view.setUint32(mfhdAt + 12, sequence);
  return out;
}
