// A stream's fragments as a file (or a client) that joins it anywhere sees them: from a keyframe,
// at t=0, numbered from 1, the sound on the pictures' origin. Used by the recorder and by the
// stream server's HTTP clients; the bitstream inside each mdat is never touched.
import { KeyframeGate } from '../../shared/keyframe-gate';
import { readDecodeTime, rebaseFragment, retimeFragment } from '../mp4/fragment-edits';
import type { AudioChunk, Fragment, InitSegment } from '../session/board-session';

export class StreamTimeline {
  private baseTime: bigint | undefined;
  private firstPts = 0n;
  /** fragments given out, pictures and sound: the next one's mfhd number is this plus 1 */
  private fragments = 0;

  constructor(
    private readonly sound: InitSegment['audio'],
    /** its consumer's gate when the consumer also skips pictures of its own (a client that fell behind) */
    private readonly gate = new KeyframeGate(),
  ) {}

  /** Whether a picture has been given out: the timeline has its origin. */
  get started(): boolean {
    return this.baseTime !== undefined;
  }

  /** Board time of the first picture given out. */
  get firstPtsUs(): bigint {
    return this.firstPts;
  }

  /** After a loss, pictures reference what never arrived: none until the next keyframe. */
  markLoss(): void {
    this.gate.close();
  }

  /** The picture at its place, or undefined when it cannot be decoded from here. */
  picture(f: Fragment): Uint8Array | undefined {
    if (!this.gate.pass(f.keyframe)) return undefined;
    if (this.baseTime === undefined) {
      this.baseTime = readDecodeTime(f.data);
      this.firstPts = f.ptsUs;
    }
    return rebaseFragment(f.data, this.baseTime, ++this.fragments);
  }

  /**
   * The chunk of sound at its place beside the pictures: its time from its own pts on the first
   * picture's origin, so a chunk lost before it leaves a gap, never a shift. None from before the
   * first picture.
   */
  soundChunk(c: AudioChunk): Uint8Array | undefined {
    if (!this.sound || this.baseTime === undefined || c.ptsUs < this.firstPts) return undefined;
    const rate = BigInt(this.sound.rate);
    const time = ((c.ptsUs - this.firstPts) * rate + 500_000n) / 1_000_000n;
    return retimeFragment(c.data, time, ++this.fragments);
  }
}
