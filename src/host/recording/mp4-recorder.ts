// Writes the board's fragments into a local MP4 as they arrive: the file is a valid fragmented MP4
// after every write, begins with an IDR, and starts at t=0 wherever in the stream it began.
import * as fs from 'node:fs';
import { fragmentPayload } from '../mp4/fragment-edits';
import { StreamTimeline } from '../live/stream-timeline';
import { UserError } from '../../shared/user-error';
import { AudioCodec } from '../../protocol/messages';
import type { AudioChunk, Fragment, InitSegment } from '../session/board-session';

export interface RecordingSummary {
  path: string;
  frames: number;
  keyframes: number;
  durationS: number;
  bytes: number;
  /** frames the board dropped while this recording ran */
  droppedByBoard: number;
  /** frames skipped here after a loss on the link, up to the next keyframe */
  skippedAfterLoss: number;
  /** the sound track: undefined when the recording has none */
  sound?: { codec: string; rate: number; chunks: number; durationS: number };
}

/** Data reaches the disk at least this often, so a power cut loses at most this much. */
const SYNC_INTERVAL_MS = 1000;

export class Mp4Recorder {
  private frames = 0;
  private keyframes = 0;
  private soundChunks = 0;
  private soundSamples = 0;
  private bytes = 0;
  private skippedAfterLoss = 0;
  private init: Uint8Array | undefined;
  private sound: InitSegment['audio'];
  private timeline: StreamTimeline | undefined;
  private lastPtsUs = 0n;
  private droppedAtStart: number | undefined;
  private droppedNow = 0;
  private lastSyncMs = 0;
  private fd: number | undefined;

  private constructor(readonly path: string, fd: number, private readonly fps: number) {
    this.fd = fd;
  }

  /** Creates (or truncates) the file now, so an unwritable path fails before anything starts. */
  static create(path: string, fps: number): Mp4Recorder {
    try {
      return new Mp4Recorder(path, fs.openSync(path, 'w'), fps);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UserError(`cannot write ${path}: ${err.code === 'ENOENT' ? 'its folder does not exist' : err.code ?? err.message}`);
    }
  }

  get frameCount(): number {
    return this.frames;
  }

  /** Board time of a pts relative to the first frame written. */
  ptsSinceStart(ptsUs: bigint): bigint {
    return ptsUs - (this.timeline?.firstPtsUs ?? 0n);
  }

  /** the pts of the last picture written */
  get lastPts(): bigint | undefined {
    return this.frames ? this.lastPtsUs : undefined;
  }

  /** whether the stream's init segment has a sound track */
  get hasSound(): boolean {
    return this.sound !== undefined;
  }

  get byteCount(): number {
    return this.bytes;
  }

  /** Takes the stream's init segment; a different one mid-recording (new resolution) is refused. */
  writeInit(init: InitSegment): void {
    if (this.init) {
      if (Buffer.compare(this.init, init.data) !== 0) throw new UserError('the stream format changed during the recording');
      return;
    }
    this.init = init.data;
    this.sound = init.audio;
    this.timeline = new StreamTimeline(init.audio);
    this.write(init.data);
  }

  /** After a loss on the link, P-frames reference what never arrived: skip to the next keyframe. */
  markLoss(): void {
    this.timeline?.markLoss();
  }

  /** Writes the fragment if it can be decoded; returns whether it was written. */
  writeFragment(f: Fragment): boolean {
    this.droppedAtStart ??= f.dropped;
    this.droppedNow = f.dropped;
    if (!this.timeline) return false;
    const started = this.timeline.started;
    const bytes = this.timeline.picture(f);
    if (!bytes) {
      if (started) this.skippedAfterLoss++;
      return false;
    }
    this.write(bytes);
    this.frames++;
    if (f.keyframe) this.keyframes++;
    this.lastPtsUs = f.ptsUs;
    return true;
  }

  /**
   * Writes a chunk of sound at its place beside the pictures: its time comes from its own pts, on
   * the first picture's origin, so a chunk lost before it leaves a gap, never a shift. Sound from
   * before the first picture is not kept. Returns whether it was written.
   */
  writeAudio(c: AudioChunk): boolean {
    const chunk = this.timeline?.soundChunk(c);
    if (!chunk) return false;
    this.write(chunk);
    this.soundChunks++;
    this.soundSamples += chunkSamples(c.data);
    return true;
  }

  /** Flushes, closes and describes the file; it is complete whether or not the stream ended well. */
  close(): RecordingSummary {
    if (this.fd !== undefined) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    return {
      path: this.path,
      frames: this.frames,
      keyframes: this.keyframes,
      durationS: this.frames ? Number(this.ptsSinceStart(this.lastPtsUs)) / 1e6 + 1 / this.fps : 0,
      bytes: this.bytes,
      droppedByBoard: this.droppedNow - (this.droppedAtStart ?? this.droppedNow),
      skippedAfterLoss: this.skippedAfterLoss,
      sound: this.sound && {
        codec: this.sound.codec === AudioCodec.G711A ? 'G.711 A-law' : 'G.711 µ-law',
        rate: this.sound.rate,
        chunks: this.soundChunks,
        durationS: this.soundSamples / this.sound.rate,
      },
    };
  }

  private write(bytes: Uint8Array): void {
    if (this.fd === undefined) throw new Error('recording already closed');
    try {
      fs.writeSync(this.fd, bytes);
      const now = performance.now();
      if (now - this.lastSyncMs >= SYNC_INTERVAL_MS) {
        fs.fdatasyncSync(this.fd);
        this.lastSyncMs = now;
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new UserError(`cannot write ${this.path}: ${err.code === 'ENOSPC' ? 'the disk is full' : err.code ?? err.message}`);
    }
    this.bytes += bytes.length;
  }
}

/** Samples in a chunk of G.711: one byte each. */
function chunkSamples(fragment: Uint8Array): number {
  return fragmentPayload(fragment).length;
}
