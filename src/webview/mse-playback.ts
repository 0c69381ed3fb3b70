// MediaSource playback of one fragment per frame, holding the playhead at the live edge.
import { KeyframeGate } from '../shared/keyframe-gate';
import type { PreviewFragment } from '../shared/panel';
import type { Playback, PlaybackEvents } from './playback';

/** Past this much buffered ahead, jump to the edge instead of catching up by speed. */
const JUMP_LAG_S = 0.5;
/** Past this much, play 10% faster until back under it. */
const CATCH_UP_LAG_S = 0.05;
/** Ahead of the hold the sound asks for by more than this: play 10% slower until back. */
const HOLD_SLACK_S = 0.01;
/** Keep this much behind the playhead; remove the rest. */
const KEEP_BEHIND_S = 4;
/** Fragments waiting while the SourceBuffer is busy (3 s at 30 fps): past this, skip to a keyframe. */
const MAX_WAITING = 90;

export class MsePlayback implements Playback {
  readonly path = 'mse';
  private readonly mediaSource = new MediaSource();
  private readonly url: string;
  private sourceBuffer: SourceBuffer | undefined;
  private readonly waiting: Uint8Array[] = [];
  private readonly gate = new KeyframeGate();
  /** media times of the fragments appended lately: what a jump to the live edge passes over */
  private readonly appendedTimes: number[] = [];
  private skipped = 0;
  private destroyed = false;
  private frameCallback = 0;
  /** how far behind the newest frame the playhead is held (for the sound), s */
  private holdS = 0;

  constructor(
    readonly surface: HTMLVideoElement,
    mime: string,
    init: Uint8Array,
    private readonly events: PlaybackEvents,
  ) {
    this.url = URL.createObjectURL(this.mediaSource);
    this.waiting.push(init);
    this.mediaSource.addEventListener(
      'sourceopen',
      () => {
        try {
          this.sourceBuffer = this.mediaSource.addSourceBuffer(mime);
          this.sourceBuffer.mode = 'segments';
        } catch (e) {
          this.events.failed(`MediaSource refused ${mime}: ${(e as Error).message}`);
          return;
        }
        this.sourceBuffer.addEventListener('updateend', () => this.pump());
        this.sourceBuffer.addEventListener('error', () => this.events.failed('the SourceBuffer reported a decode error'));
        this.pump();
      },
      { once: true },
    );
    surface.onerror = () => this.events.failed(`video error: ${surface.error?.message || surface.error?.code}`);
    surface.muted = true;
    surface.playsInline = true;
    surface.src = this.url;
    this.watchFrames();
  }

  append(fragment: PreviewFragment): void {
    if (this.gate.isOpen && this.waiting.length >= MAX_WAITING) {
      // Behind by seconds of frames: the oldest are worthless for a live view.
      this.waiting.length = 0;
      this.gate.close();
      if (!fragment.keyframe) this.events.needKeyframe('the player fell behind');
    }
    if (!this.gate.pass(fragment.keyframe)) return;
    this.waiting.push(fragment.data);
    this.appendedTimes.push(fragment.mediaTimeS);
    if (this.appendedTimes.length > MAX_WAITING * 2) this.appendedTimes.splice(0, MAX_WAITING);
    this.pump();
  }

  setPictureDelay(seconds: number): void {
    this.holdS = seconds;
  }

  bufferMs(): number {
    const b = this.surface.buffered;
    return b.length ? Math.max(0, (b.end(b.length - 1) - this.surface.currentTime) * 1000) : 0;
  }

  decodedFrames(): number {
    return this.surface.getVideoPlaybackQuality().totalVideoFrames;
  }

  droppedFrames(): number {
    return this.surface.getVideoPlaybackQuality().droppedVideoFrames;
  }

  skippedFrames(): number {
    return this.skipped;
  }

  destroy(): void {
    this.destroyed = true;
    this.surface.cancelVideoFrameCallback(this.frameCallback);
    this.surface.onerror = null;
    this.surface.removeAttribute('src');
    this.surface.load();
    URL.revokeObjectURL(this.url);
  }

  private pump(): void {
    const sb = this.sourceBuffer;
    if (!sb || sb.updating || this.destroyed) return;
    if (this.trim(sb)) return; // updateend comes back here
    const next = this.takeWaiting();
    if (next) {
      try {
        sb.appendBuffer(next);
      } catch (e) {
        this.events.failed(`appendBuffer failed: ${(e as Error).message}`);
      }
      return;
    }
    this.chaseLiveEdge();
  }

  /** Everything waiting, as one buffer: a burst that arrived during one append goes in with the next. */
  private takeWaiting(): Uint8Array<ArrayBuffer> | undefined {
    if (this.waiting.length <= 1) return this.waiting.shift() as Uint8Array<ArrayBuffer> | undefined;
    const joined = new Uint8Array(this.waiting.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of this.waiting) {
      joined.set(b, at);
      at += b.length;
    }
    this.waiting.length = 0;
    return joined;
  }

  /** Removes what lies far behind the playhead; true when a removal started. */
  private trim(sb: SourceBuffer): boolean {
    const b = sb.buffered;
    const keepFrom = this.surface.currentTime - KEEP_BEHIND_S;
    if (!b.length || b.start(0) >= keepFrom - 1) return false;
    sb.remove(0, keepFrom);
    return true;
  }

  private chaseLiveEdge(): void {
    const v = this.surface;
    const b = v.buffered;
    if (!b.length) return;
    const start = b.start(b.length - 1);
    const end = b.end(b.length - 1);
    // How far behind the edge the playhead is, beyond what the sound asks to hold it back.
    const lag = end - v.currentTime - this.holdS;
    if (v.currentTime < start || lag > JUMP_LAG_S) {
      const to = Math.max(start, end - 0.02 - this.holdS);
      const from = v.currentTime;
      this.skipped += this.appendedTimes.filter((t) => t >= from && t < to).length;
      v.currentTime = to;
    }
    v.playbackRate = lag > CATCH_UP_LAG_S ? 1.1 : lag < -HOLD_SLACK_S ? 0.9 : 1;
    if (v.paused) v.play().catch(() => undefined);
  }

  private watchFrames(): void {
    // Timed at the animation frame that reports it (`now`), where the canvas's frames are timed too:
    // Chromium stamps presentationTime, for a video waiting at the end of its buffer, when the frame
    // is handed over, up to a refresh before the compositor's frame takes it (docs/live-playback.md).
    const onFrame = (now: number, meta: VideoFrameCallbackMetadata) => {
      if (this.destroyed) return;
      // Held for the sound: as far behind the newest frame as the playhead is, up to the hold asked for.
      const newest = this.appendedTimes.at(-1) ?? meta.mediaTime;
      this.events.presented({
        mediaTimeS: meta.mediaTime,
        presentedPerfMs: now,
        displayPerfMs: meta.expectedDisplayTime,
        heldMs: Math.max(0, Math.min(newest - meta.mediaTime, this.holdS) * 1000),
        videoPresentationPerfMs: meta.presentationTime,
      });
      this.frameCallback = this.surface.requestVideoFrameCallback(onFrame);
    };
    this.frameCallback = this.surface.requestVideoFrameCallback(onFrame);
  }
}
