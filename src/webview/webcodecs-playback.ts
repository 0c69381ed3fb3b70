// WebCodecs playback: samples out of the fragments into a VideoDecoder, frames onto a canvas.
// Used when MediaSource cannot play the stream.
import { KeyframeGate } from '../shared/keyframe-gate';
import { findBox } from '../shared/mp4-boxes';
import type { PreviewFragment } from '../shared/panel';
import { Playback, PlaybackEvents, wallClockMs } from './playback';

/** Frames queued in the decoder past which we skip to the next keyframe rather than fall behind. */
const MAX_DECODE_QUEUE = 8;

/** The avcC/hvcC payload of an init segment: the decoder's `description`. */
export function decoderDescription(init: Uint8Array): Uint8Array | undefined {
  const stsd = 'moov/trak/mdia/minf/stbl/stsd';
  for (const [entry, config] of [['avc1', 'avcC'], ['avc3', 'avcC'], ['hev1', 'hvcC'], ['hvc1', 'hvcC']]) {
    const box = findBox(init, `${stsd}/${entry}/${config}`);
    if (box) return init.subarray(box.start + 8, box.end);
  }
  return undefined;
}

export class WebCodecsPlayback implements Playback {
  readonly path = 'webcodecs';
  private readonly decoder: VideoDecoder;
  private readonly context: CanvasRenderingContext2D;
  private readonly gate = new KeyframeGate();
  private decoded = 0;
  private skipped = 0;

  constructor(
    readonly surface: HTMLCanvasElement,
    config: VideoDecoderConfig,
    private readonly events: PlaybackEvents,
  ) {
    this.context = surface.getContext('2d')!;
    this.decoder = new VideoDecoder({
      output: (frame) => {
        this.decoded++;
        if (surface.width !== frame.displayWidth || surface.height !== frame.displayHeight) {
          surface.width = frame.displayWidth;
          surface.height = frame.displayHeight;
        }
        this.context.drawImage(frame, 0, 0);
        frame.close();
        const now = performance.now();
        this.events.presented(frame.timestamp / 1e6, wallClockMs(now), now);
      },
      error: (e) => this.events.failed(`VideoDecoder: ${e.message}`),
    });
    this.decoder.configure(config);
  }

  static async config(codecString: string, init: Uint8Array): Promise<VideoDecoderConfig | undefined> {
    if (typeof VideoDecoder === 'undefined') return undefined;
    const description = decoderDescription(init);
    if (!description) return undefined;
    const config: VideoDecoderConfig = { codec: codecString, description, optimizeForLatency: true };
    const support = await VideoDecoder.isConfigSupported(config).catch(() => undefined);
    return support?.supported ? config : undefined;
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

  setPictureDelay(): void {
    // Frames are drawn as they are decoded: on this path the sound plays when it can, behind its picture.
  }

  bufferMs(): number {
    return 0; // frames are drawn as they are decoded: nothing waits in front of the screen
  }

  decodedFrames(): number {
    return this.decoded;
  }

  droppedFrames(): number {
    return 0; // every decoded frame is drawn
  }

  skippedFrames(): number {
    return this.skipped;
  }

  destroy(): void {
    if (this.decoder.state !== 'closed') this.decoder.close();
  }
}
