// Small in-place edits of the agent's fragments; the bitstream inside mdat is never touched.

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function boxType(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
}

/** Offset of the first child box of `type` inside [start, end), or -1. */
function findBox(b: Uint8Array, start: number, end: number, type: string): number {
  let at = start;
  while (at + 8 <= end) {
    const size = u32be(b, at);
    if (size < 8 || at + size > end) return -1;
    if (boxType(b, at) === type) return at;
    at += size;
  }
  return -1;
}

export interface FragmentTiming {
  /** offset of the tfdt box (version 1: 64-bit baseMediaDecodeTime at +12) */
  tfdtAt: number;
  /** offset of the mfhd box (sequence_number at +12) */
  mfhdAt: number;
}

export function locateFragmentTiming(fragment: Uint8Array): FragmentTiming {
  const moof = findBox(fragment, 0, fragment.length, 'moof');
  if (moof < 0) throw new Error('fragment has no moof');
  const moofEnd = moof + u32be(fragment, moof);
  const mfhd = findBox(fragment, moof + 8, moofEnd, 'mfhd');
  const traf = findBox(fragment, moof + 8, moofEnd, 'traf');
  if (mfhd < 0 || traf < 0) throw new Error('fragment has no mfhd or traf');
  const tfdt = findBox(fragment, traf + 8, traf + u32be(fragment, traf), 'tfdt');
  if (tfdt < 0 || fragment[tfdt + 8] !== 1) throw new Error('fragment has no version-1 tfdt');
  return { tfdtAt: tfdt, mfhdAt: mfhd };
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
