// The stream's sound in the webview: G.711 decoded here (no MediaSource plays it) and played
// through WebAudio at the moment its picture is on screen. Each chunk's time on the picture's
// timeline comes from the board; the player tells where that timeline is on this page's clock (the
// last frame presented), and the AudioContext's output timestamp tells when a sample scheduled
// now reaches the speaker. The level meter follows the same schedule, muted or not.
import type { PreviewSound, SoundCodec } from '../shared/panel';
import { decodeG711, g711Table } from './g711';

/** Chunks closer than this to the end of the one before join it seamlessly (no click, no gap). */
const JOIN_S = 0.015;
/** Chunks waiting for the first frame on screen: past this many, the oldest go. */
const MAX_WAITING = 50;
/** Quieter than this shows as silence. */
export const SILENCE_DB = -90;
/** Kept between scheduling a chunk and its first sample rendered: about one render quantum (128 samples). */
const SAFETY_MS = 4;
/** The most the picture is held back for its sound. */
const MAX_PICTURE_DELAY_MS = 400;
/**
 * How long a sound may come after its picture: the picture is held for what the sound needs less
 * this, and is that much more live. Well inside what a viewer can tell: ITU-R BT.1359 finds sound
 * after its picture undetectable to about 125 ms, EBU R37 allows 60 ms at the end of a chain.
 */
const LIP_SYNC_SLACK_MS = 20;
/**
 * A new AudioContext's lead over what is heard grows over its first tens of milliseconds (20 ms,
 * then 32, then 42 here), and the chunks that waited for it come at once: the hold is taken from
 * the chunks after this much of its time, not from those.
 */
const SETTLE_S = 0.1;
/** The hold is lowered only when the sound needs this much less (no wobble of the picture). */
const HOLD_HYSTERESIS_MS = 5;

export interface SoundEvents {
  /** the level of the sound playing now, dBFS (peak of its chunk) */
  level(db: number): void;
  /** a chunk was scheduled to reach the speaker (tests and benchmarks) */
  scheduled?(chunk: ScheduledSound): void;
  /**
   * The sound of a moment comes after its picture could be shown (a chunk is whole only once its
   * 20 ms are captured, and the speaker is behind the AudioContext): while the sound plays, the
   * picture is held back this long (ms) so that the two meet; 0 when muted.
   */
  pictureDelay(ms: number): void;
}

export interface ScheduledSound {
  /** its first sample's time on the picture's timeline, s */
  mediaTimeS: number;
  /** when its first sample reaches the speaker, performance.now() ms */
  outputPerfMs: number;
  /** its first sample's capture on the board, host wall clock ms (PreviewSound.captureMs) */
  captureMs: number;
  peakDb: number;
}

interface Chunk {
  mediaTimeS: number;
  captureMs: number;
  samples: Float32Array;
  peakDb: number;
}

export class SoundPlayback {
  /** the running stream's sound; undefined: it has none */
  private stream: { table: Int16Array; rate: number } | undefined;
  private context: AudioContext | undefined;
  private gain: GainNode | undefined;
  private mutedNow = true;
  /** where the picture's timeline is on this page's clock: the last frame presented, and how long it was held for the sound */
  private anchor: { mediaTimeS: number; perfMs: number; heldMs: number } | undefined;
  private waiting: Chunk[] = [];
  /** context time at which the last scheduled chunk ends */
  private scheduledUntil = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private late = 0;
  /** how long the picture is held back for the sound, ms */
  private delayMs = 0;
  /** how much later than its picture each chunk can be heard, followed as it goes */
  private lateness = new LatenessEstimate();

  constructor(private readonly events: SoundEvents) {}

  /** A new stream (or none): what it has, from its init segment. The AudioContext and mute stay. */
  setStream(sound: { codec: SoundCodec; rate: number } | undefined): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.stream = sound && { table: g711Table(sound.codec), rate: sound.rate };
    this.anchor = undefined;
    this.waiting = [];
    this.lateness = new LatenessEstimate();
    this.scheduledUntil = 0;
    this.events.level(SILENCE_DB);
  }

  get hasSound(): boolean {
    return this.stream !== undefined;
  }

  get muted(): boolean {
    return this.mutedNow;
  }

  /** chunks heard later after their picture than the slack allows */
  get lateChunks(): number {
    return this.late;
  }

  /**
   * Unmuting creates (or resumes) the AudioContext: call it from a person's click, which a page
   * needs before it may make sound.
   */
  async setMuted(muted: boolean): Promise<void> {
    this.mutedNow = muted;
    if (!muted && !this.context) {
      this.context = new AudioContext({ latencyHint: 'interactive' });
      this.gain = this.context.createGain();
      this.gain.connect(this.context.destination);
    }
    if (this.gain) this.gain.gain.value = muted ? 0 : 1;
    if (!muted && this.context?.state === 'suspended') await this.context.resume();
    if (muted) {
      this.lateness = new LatenessEstimate();
      this.holdPicture(0);
    }
  }

  /** A frame reached the screen (held `heldMs` for the sound): the picture's timeline at that moment on this page's clock. */
  presented(mediaTimeS: number, perfMs: number, heldMs = 0): void {
    const first = !this.anchor;
    this.anchor = { mediaTimeS, perfMs, heldMs };
    if (first) {
      const waiting = this.waiting;
      this.waiting = [];
      for (const c of waiting) this.play(c);
    }
  }

  push(m: PreviewSound): void {
    if (!this.stream) return;
    const samples = decodeG711(m.data, this.stream.table);
    let peak = 0;
    for (const x of samples) peak = Math.max(peak, Math.abs(x));
    const chunk = { mediaTimeS: m.mediaTimeS, captureMs: m.captureMs, samples, peakDb: peak > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(peak)) : SILENCE_DB };
    if (this.anchor) return this.play(chunk);
    this.waiting.push(chunk);
    if (this.waiting.length > MAX_WAITING) this.waiting.shift();
  }

  destroy(): void {
    this.holdPicture(0);
    this.setStream(undefined);
    void this.context?.close();
    this.context = undefined;
  }

  /** The chunk at the moment its picture is on screen: on the meter, and out of the speaker unless muted. */
  private play(c: Chunk): void {
    const rate = this.stream!.rate;
    const showAtMs = this.anchor!.perfMs + (c.mediaTimeS - this.anchor!.mediaTimeS) * 1000;
    this.meterAt(showAtMs, c.peakDb);
    const ctx = this.context;
    if (!ctx || ctx.state !== 'running' || this.mutedNow) return;
    const out = ctx.getOutputTimestamp();
    const [ctxTime, perfTime] = out.performanceTime ? [out.contextTime!, out.performanceTime] : [ctx.currentTime, performance.now() + ctx.outputLatency * 1000];
    // The earliest this chunk can be heard; the picture waits for it, less the slack, when it would
    // be shown sooner. How late the chunk is against its picture unheld (as the picture was held when
    // last shown) feeds the estimate that sets the hold.
    const earliestMs = perfTime + (ctx.currentTime - ctxTime) * 1000 + SAFETY_MS;
    if (ctx.currentTime >= SETTLE_S) {
      this.lateness.add(earliestMs - (showAtMs - this.anchor!.heldMs));
      this.holdPicture(this.lateness.upper() - LIP_SYNC_SLACK_MS);
    }
    if (earliestMs > showAtMs + LIP_SYNC_SLACK_MS) this.late++;
    let when = ctxTime + (Math.max(showAtMs, earliestMs) - perfTime) / 1000;
    if (Math.abs(when - this.scheduledUntil) < JOIN_S) when = this.scheduledUntil;
    if (when < ctx.currentTime) when = Math.max(ctx.currentTime, this.scheduledUntil); // heard now, not lost
    const buffer = ctx.createBuffer(1, c.samples.length, rate);
    buffer.copyToChannel(c.samples as Float32Array<ArrayBuffer>, 0);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.gain!);
    source.start(when);
    this.scheduledUntil = when + c.samples.length / rate;
    this.events.scheduled?.({ mediaTimeS: c.mediaTimeS, outputPerfMs: perfTime + (when - ctxTime) * 1000, captureMs: c.captureMs, peakDb: c.peakDb });
  }

  private holdPicture(ms: number): void {
    const next = Math.round(Math.max(0, Math.min(MAX_PICTURE_DELAY_MS, ms)));
    if (next === this.delayMs || (next < this.delayMs && next > this.delayMs - HOLD_HYSTERESIS_MS && next > 0)) return;
    this.delayMs = next;
    this.events.pictureDelay(next);
  }

  private meterAt(atMs: number, db: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.events.level(db);
    }, Math.max(0, atMs - performance.now()));
    this.timers.add(t);
  }
}

/**
 * How much later than its picture a chunk can be heard, followed as a mean and a mean deviation
 * (as TCP follows its round trips, RFC 6298): the upper bound is the mean and two deviations, so
 * one late chunk moves it a little and a lasting change within a few chunks, where the worst chunk
 * of the last second held the picture back for every spike of a busy machine. A chunk above it is
 * heard up to LIP_SYNC_SLACK_MS after its picture unnoticed, or later and counted (lateChunks).
 */
export class LatenessEstimate {
  private mean: number | undefined;
  private deviation = 0;

  add(ms: number): void {
    if (this.mean === undefined) {
      this.mean = ms;
      this.deviation = 0;
      return;
    }
    this.deviation += (Math.abs(ms - this.mean) - this.deviation) / 4;
    this.mean += (ms - this.mean) / 8;
  }

  /** what covers nearly every chunk, ms */
  upper(): number {
    return this.mean === undefined ? 0 : this.mean + 2 * this.deviation;
  }
}
