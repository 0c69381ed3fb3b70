// WebCodecs playback: samples out of the fragments into a VideoDecoder, frames onto a canvas at the
// next animation frame. The default path where the webview's VideoDecoder takes the codec
// (docs/live-playback.md has the measurements); MediaSource plays what it cannot.
import { KeyframeGate } from '../shared/keyframe-gate';
import { findBox } from '../shared/mp4-boxes';
import type { PreviewFragment } from '../shared/panel';
import type { Playback, PlaybackEvents } from './playback';

/** Frames queued in the decoder past which we skip to the next keyframe rather than fall behind. */
const MAX_DECODE_QUEUE = 8;
/** Decoded frames held for their moment (the sound's hold) past which the oldest are let go. */
const MAX_HELD = 30;
/** Frames over which the earliest a frame was ready, against its media time, is remembered (2 s at 30 fps). */
const EDGE_WINDOW = 60;
/** One display refresh, until the animation frames have measured it, ms. */
const DEFAULT_REFRESH_MS = 1000 / 60;
/** The hold for the sound moves toward what is asked at most this fast (as MediaSource's 0.9x and 1.1x):
 * the picture slows or hurries a little, never stops. */
const HOLD_SLEW = 0.1;

/** The avcC/hvcC payload of an init segment: the decoder's `description`. */
export function decoderDescription(init: Uint8Array): Uint8Array | undefined {
  const stsd = 'moov/trak/mdia/minf/stbl/stsd';
  for (const [entry, config] of [['avc1', 'avcC'], ['avc3', 'avcC'], ['hev1', 'hvcC'], ['hvc1', 'hvcC']]) {
    const box = findBox(init, `${stsd}/${entry}/${config}`);
    if (box) return init.subarray(box.start + 8, box.end);
  }
  return undefined;
}

interface Held {
  frame: VideoFrame;
  mediaMs: number;
  decodedPerfMs: number;
}

/** Whether VideoDecoder takes a codec string: asked once per codec (the answer does not change in a page). */
const supportByCodec = new Map<string, Promise<boolean>>();

export class WebCodecsPlayback implements Playback {
  readonly path = 'webcodecs';
  private readonly decoder: VideoDecoder;
  private readonly context: CanvasRenderingContext2D;
  private readonly gate = new KeyframeGate();
  /** decoded frames not yet drawn, oldest first */
  private held: Held[] = [];
  /** media time -> display clock: the least (decoded - media time) of the last frames, the live edge */
  private readonly edges: number[] = [];
  /** the hold the sound asks for, and the one applied now (moving toward it), ms */
  private holdMs = 0;
  private appliedHoldMs = 0;
  private animationFrame = 0;
  private lastFrameTime = 0;
  private refreshMs = DEFAULT_REFRESH_MS;
  private decoded = 0;
  private dropped = 0;
  private skipped = 0;
  private destroyed = false;

  constructor(
    readonly surface: HTMLCanvasElement,
    config: VideoDecoderConfig,
    private readonly events: PlaybackEvents,
  ) {
    this.context = surface.getContext('2d', { alpha: false })!;
    this.decoder = new VideoDecoder({
      output: (frame) => this.onDecoded(frame),
      error: (e) => this.events.failed(`VideoDecoder: ${e.message}`),
    });
    this.decoder.configure(config);
  }

  static async config(codecString: string, init: Uint8Array): Promise<VideoDecoderConfig | undefined> {
    if (typeof VideoDecoder === 'undefined') return undefined;
    const description = decoderDescription(init);
    if (!description) return undefined;
    const config: VideoDecoderConfig = { codec: codecString, description, optimizeForLatency: true };
    let supported = supportByCodec.get(codecString);
    if (!supported) {
      supported = VideoDecoder.isConfigSupported(config).then(
        (s) => s.supported === true,
        () => false,
      );
      supportByCodec.set(codecString, supported);
    }
    return (await supported) ? config : undefined;
  }

  append(fragment: PreviewFragment): void {
    if (this.decoder.state !== 'configured') return;
    if (this.decoder.decodeQueueSize > MAX_DECODE_QUEUE && !fragment.keyframe) {
      this.gate.close();
      this.events.needKeyframe('the decoder fell behind');
    }
    if (!this.gate.pass(fragment.keyframe)) {
      this.skipped++;
      return;
    }
    const mdat = findBox(fragment.data, 'mdat');
    if (!mdat) return;
    this.decoder.decode(
      new EncodedVideoChunk({
        type: fragment.keyframe ? 'key' : 'delta',
        timestamp: Math.round(fragment.mediaTimeS * 1e6),
        data: fragment.data.subarray(mdat.start + 8, mdat.end),
      }),
    );
  }

  setPictureDelay(seconds: number): void {
    this.holdMs = seconds * 1000;
    // The sound turned on or off (a person's click): the hold is taken or let go at once, a frame's
    // pause or skip then; between two holds it moves gradually.
    if (this.holdMs === 0 || this.appliedHoldMs === 0) this.appliedHoldMs = this.holdMs;
    if (this.held.length) this.requestDraw();
  }

  bufferMs(): number {
    const newest = this.held.at(-1);
    return newest ? Math.max(0, this.dueAt(newest) - performance.now()) : 0;
  }

  decodedFrames(): number {
    return this.decoded;
  }

  droppedFrames(): number {
    return this.dropped;
  }

  skippedFrames(): number {
    return this.skipped;
  }

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.animationFrame);
    for (const h of this.held) h.frame.close();
    this.held = [];
    if (this.decoder.state !== 'closed') this.decoder.close();
  }

  private onDecoded(frame: VideoFrame): void {
    const now = performance.now();
    this.decoded++;
    if (this.destroyed) return void frame.close();
    const mediaMs = frame.timestamp / 1000;
    this.edges.push(now - mediaMs);
    if (this.edges.length > EDGE_WINDOW) this.edges.shift();
    this.held.push({ frame, mediaMs, decodedPerfMs: now });
    if (this.held.length > MAX_HELD) this.letGo(this.held.shift()!);
    this.requestDraw();
  }

  /** When a frame is due: as soon as it is decoded, unless the sound holds the picture back. */
  private dueAt(h: Held): number {
    return this.appliedHoldMs > 0 ? Math.max(h.decodedPerfMs, h.mediaMs + Math.min(...this.edges) + this.appliedHoldMs) : h.decodedPerfMs;
  }

  private requestDraw(): void {
    if (!this.animationFrame) this.animationFrame = requestAnimationFrame((t) => this.draw(t));
  }

  /**
   * In the animation frame: a frame that is due goes onto the canvas, which the compositor takes in
   * this same frame. Two frames due in one refresh came bunched (a message late, a busy moment): the
   * older is drawn now and the newer at the next refresh, one refresh late rather than never. More,
   * or a newer one already waiting longer than a refresh, is a player behind: the newest due is
   * drawn, and those before it are never seen (dropped). docs/first-run.md has the counts.
   */
  private draw(frameTime: number): void {
    this.animationFrame = 0;
    if (this.destroyed) return;
    const now = performance.now();
    const sinceLast = this.lastFrameTime ? frameTime - this.lastFrameTime : 0;
    if (sinceLast > 0 && sinceLast < 40) this.refreshMs += (sinceLast - this.refreshMs) / 8;
    this.lastFrameTime = frameTime;
    const step = HOLD_SLEW * Math.min(sinceLast, 100);
    this.appliedHoldMs += Math.max(-step, Math.min(step, this.holdMs - this.appliedHoldMs));
    let due = 0;
    while (due < this.held.length && this.dueAt(this.held[due]) <= now + 1) due++;
    if (due) {
      const behind = due > 2 || (due === 2 && now - this.dueAt(this.held[1]) > this.refreshMs);
      const drawn = behind ? due - 1 : 0;
      for (const h of this.held.slice(0, drawn)) this.letGo(h);
      const shown = this.held[drawn];
      this.held = this.held.slice(drawn + 1);
      const { frame } = shown;
      if (this.surface.width !== frame.displayWidth || this.surface.height !== frame.displayHeight) {
        this.surface.width = frame.displayWidth;
        this.surface.height = frame.displayHeight;
      }
      this.context.drawImage(frame, 0, 0);
      frame.close();
      // The compositor takes the canvas in this animation frame (begun at frameTime, maybe a moment
      // before the decoder gave the frame out).
      this.events.presented({
        mediaTimeS: shown.mediaMs / 1000,
        presentedPerfMs: Math.max(frameTime, shown.decodedPerfMs),
        displayPerfMs: frameTime + this.refreshMs,
        heldMs: Math.max(0, this.dueAt(shown) - shown.decodedPerfMs),
        decodedPerfMs: shown.decodedPerfMs,
      });
    }
    if (this.held.length || this.appliedHoldMs !== this.holdMs) this.requestDraw();
  }

  /** A decoded frame never drawn. */
  private letGo(h: Held): void {
    h.frame.close();
    this.dropped++;
  }
}
