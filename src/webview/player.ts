// The live player: takes init segments and fragments, plays them through MediaSource or, when
// MediaSource cannot, WebCodecs, and keeps the figures a person (and a test) can read.
// Hosted by the VS Code webview and by a plain page alike: it knows nothing of either.
import type { PreviewFragment, PreviewInit, PreviewSound, PlayerStats } from '../shared/panel';
import { MsePlayback } from './mse-playback';
import { Playback, PlaybackEvents } from './playback';
import { SoundEvents, SoundPlayback } from './sound-playback';
import { StatsCollector } from './stats';
import { WebCodecsPlayback } from './webcodecs-playback';

export interface PlayerHost {
  /** a frame reached the screen, this long after its capture on the board */
  presented?(latencyMs: number): void;
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
  private mseRefused = false;
  private readonly stats = new StatsCollector();
  /** media time -> capture time, for the latency of each presented frame */
  private readonly captureByMediaTime = new Map<number, number>();
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
    this.captureByMediaTime.clear();
    this.pending = [];
    this.starting = true;
    this.sound.setStream(init.sound);
    void this.start(init);
  }

  appendSound(m: PreviewSound): void {
    this.sound.push(m);
  }

  append(fragment: PreviewFragment): void {
    this.stats.onReceived(performance.now(), fragment.data.length, fragment.boardDropped);
    this.captureByMediaTime.set(mediaKey(fragment.mediaTimeS), fragment.captureMs);
    if (this.captureByMediaTime.size > 600) this.captureByMediaTime.delete(this.captureByMediaTime.keys().next().value!);
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
    if (!this.mseRefused && typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(mime)) {
      this.playback = new MsePlayback(this.video, mime, init.data, events);
    } else {
      const config = await WebCodecsPlayback.config(init.codecString, init.data);
      if (init !== this.init) return; // a newer stream started meanwhile
      if (!config) {
        this.host.failed(`this view cannot decode ${init.codecString} (neither MediaSource nor WebCodecs)`);
        this.starting = false;
        return;
      }
      this.playback = new WebCodecsPlayback(this.canvas, config, events);
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
      presented: (mediaTimeS, atMs, displayPerfMs) => {
        this.sound.presented(mediaTimeS, displayPerfMs);
        const capture = this.captureByMediaTime.get(mediaKey(mediaTimeS));
        const latency = capture === undefined ? undefined : atMs - capture;
        this.stats.onPresented(performance.now(), latency);
        if (latency !== undefined) this.host.presented?.(latency);
      },
      failed: (message) => {
        if (this.playback?.path === 'mse' && this.init) {
          // MediaSource gave up on this stream: the same bytes go to WebCodecs from the next IDR.
          this.mseRefused = true;
          this.setInit(this.init);
          this.host.needKeyframe(`MediaSource failed (${message}); switching to WebCodecs`);
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
