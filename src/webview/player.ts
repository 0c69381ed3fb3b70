// The live player: takes init segments and fragments, plays them through WebCodecs or, where the
// webview's VideoDecoder cannot take the codec (or there is none), MediaSource, and keeps the
// figures a person (and a test) can read. docs/live-playback.md has why in that order.
// Hosted by the VS Code webview and by a plain page alike: it knows nothing of either.
import type { PreviewFragment, PreviewInit, PreviewSound, PlayerStats } from '../shared/panel';
import { MsePlayback } from './mse-playback';
import { Playback, PlaybackEvents, wallClockMs } from './playback';
import { SoundEvents, SoundPlayback } from './sound-playback';
import { StatsCollector } from './stats';
import { WebCodecsPlayback } from './webcodecs-playback';

/** Where one presented frame's time went in the page (benchmarks): wall clock, ms since the epoch. */
export interface FrameTiming {
  path: 'mse' | 'webcodecs';
  mediaTimeS: number;
  /** its capture on the board, mapped to the host's clock */
  captureMs: number;
  /** its fragment's message reached the player */
  arrivedMs: number;
  /** the decoder gave it out (WebCodecs only; MediaSource does not tell) */
  decodedMs?: number;
  /** handed to the compositor */
  presentedMs: number;
  /** expected on the display */
  displayMs: number;
  /** held back for the sound, ms */
  heldMs: number;
  /** the video's requestVideoFrameCallback presentationTime (MediaSource only) */
  videoPresentationMs?: number;
}

export interface PlayerHost {
  /** a frame reached the screen, this long after its capture on the board; where the time went */
  presented?(latencyMs: number, timing: FrameTiming): void;
  /** the player needs an IDR to go on (start, fall-back, falling behind) */
  needKeyframe(reason: string): void;
  /** neither path can play the stream */
  failed(message: string): void;
  /** the sound's level and schedule */
  sound: Omit<SoundEvents, 'pictureDelay'>;
}

export class LivePlayer {
  private playback: Playback | undefined;
  private init: PreviewInit | undefined;
  /** paths that failed on this stream's codec: the next start takes the other */
  private readonly refused = new Set<Playback['path']>();
  private readonly stats = new StatsCollector();
  /** media time -> capture time and arrival here, for the latency of each presented frame */
  private readonly arrivals = new Map<number, { captureMs: number; arrivedPerfMs: number }>();
  private pending: PreviewFragment[] = [];
  /** between an init segment and its playback being ready: fragments wait in `pending` */
  private starting = false;
  readonly sound: SoundPlayback;
  /** how long the picture is held back for its sound, s */
  private pictureDelayS = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly host: PlayerHost,
  ) {
    this.sound = new SoundPlayback({
      ...host.sound,
      pictureDelay: (ms) => {
        this.pictureDelayS = ms / 1000;
        this.playback?.setPictureDelay(this.pictureDelayS);
      },
    });
  }

  get path(): PlayerStats['path'] {
    return this.playback?.path ?? 'none';
  }

  /** A new stream (or the same one after a pause): starts a fresh playback from its init segment. */
  setInit(init: PreviewInit): void {
    this.init = init;
    this.stats.reset();
    this.arrivals.clear();
    this.pending = [];
    this.starting = true;
    this.sound.setStream(init.sound);
    void this.start(init);
  }

  appendSound(m: PreviewSound): void {
    this.sound.push(m);
  }

  append(fragment: PreviewFragment): void {
    const now = performance.now();
    this.stats.onReceived(now, fragment.data.length, fragment.boardDropped);
    this.arrivals.set(mediaKey(fragment.mediaTimeS), { captureMs: fragment.captureMs, arrivedPerfMs: now });
    if (this.arrivals.size > 600) this.arrivals.delete(this.arrivals.keys().next().value!);
    if (this.starting) this.pending.push(fragment);
    else this.playback?.append(fragment);
  }

  stop(): void {
    this.playback?.destroy();
    this.playback = undefined;
    this.init = undefined;
    this.sound.setStream(undefined);
    this.video.hidden = true;
    this.canvas.hidden = true;
  }

  currentStats(): PlayerStats {
    const p = this.playback;
    return this.stats.snapshot(performance.now(), this.path, {
      decoded: p?.decodedFrames() ?? 0,
      dropped: p?.droppedFrames() ?? 0,
      skipped: p?.skippedFrames() ?? 0,
      bufferMs: p?.bufferMs() ?? 0,
    });
  }

  /** The picture on screen now, as PNG bytes. */
  async snapshot(): Promise<Uint8Array | undefined> {
    const surface = this.playback?.surface;
    if (!surface) return undefined;
    const width = surface instanceof HTMLVideoElement ? surface.videoWidth : surface.width;
    const height = surface instanceof HTMLVideoElement ? surface.videoHeight : surface.height;
    if (!width || !height) return undefined;
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    c.getContext('2d')!.drawImage(surface, 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, 'image/png'));
    return blob ? new Uint8Array(await blob.arrayBuffer()) : undefined;
  }

  private async start(init: PreviewInit): Promise<void> {
    this.playback?.destroy();
    this.playback = undefined;
    const events = this.events();
    const mime = `video/mp4; codecs="${init.codecString}"`;
    const config = this.refused.has('webcodecs') ? undefined : await WebCodecsPlayback.config(init.codecString, init.data);
    if (init !== this.init) return; // a newer stream started meanwhile
    if (config) {
      this.playback = new WebCodecsPlayback(this.canvas, config, events);
    } else if (!this.refused.has('mse') && typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(mime)) {
      this.playback = new MsePlayback(this.video, mime, init.data, events);
    } else {
      this.host.failed(`this view cannot decode ${init.codecString} (neither WebCodecs nor MediaSource)`);
      this.starting = false;
      return;
    }
    this.playback.setPictureDelay(this.pictureDelayS);
    this.video.hidden = this.playback.path !== 'mse';
    this.canvas.hidden = this.playback.path !== 'webcodecs';
    const queued = this.pending;
    this.pending = [];
    this.starting = false;
    for (const f of queued) this.playback.append(f);
  }

  private events(): PlaybackEvents {
    return {
      presented: (frame) => {
        const { mediaTimeS } = frame;
        this.sound.presented(mediaTimeS, frame.displayPerfMs, frame.heldMs);
        const arrival = this.arrivals.get(mediaKey(mediaTimeS));
        const presentedMs = wallClockMs(frame.presentedPerfMs);
        const latency = arrival === undefined ? undefined : presentedMs - arrival.captureMs;
        this.stats.onPresented(performance.now(), latency);
        if (arrival === undefined || latency === undefined || !this.playback) return;
        this.host.presented?.(latency, {
          path: this.playback.path,
          mediaTimeS,
          captureMs: arrival.captureMs,
          arrivedMs: wallClockMs(arrival.arrivedPerfMs),
          decodedMs: frame.decodedPerfMs === undefined ? undefined : wallClockMs(frame.decodedPerfMs),
          presentedMs,
          displayMs: wallClockMs(frame.displayPerfMs),
          heldMs: frame.heldMs,
          videoPresentationMs: frame.videoPresentationPerfMs === undefined ? undefined : wallClockMs(frame.videoPresentationPerfMs),
        });
      },
      failed: (message) => {
        const path = this.playback?.path;
        const other = path === 'webcodecs' ? 'mse' : 'webcodecs';
        if (path && this.init && !this.refused.has(other)) {
          // This path gave up on the stream: the same bytes go to the other from the next IDR.
          this.refused.add(path);
          this.setInit(this.init);
          this.host.needKeyframe(`${path === 'mse' ? 'MediaSource' : 'WebCodecs'} failed (${message}); switching to ${path === 'mse' ? 'WebCodecs' : 'MediaSource'}`);
        } else {
          this.host.failed(message);
        }
      },
      needKeyframe: (reason) => this.host.needKeyframe(reason),
    };
  }
}

/** Media times as integer milliseconds: the same fragment gives the same key on both sides. */
function mediaKey(seconds: number): number {
  return Math.round(seconds * 1000);
}
