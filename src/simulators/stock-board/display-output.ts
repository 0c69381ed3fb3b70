// The simulated board's display output (VO): a display of one size and refresh rate, its video layers
// (the camera, bound by Display.bind_layer) and OSD layers (Display.show_image), and its write-back
// (WBC). While the write-back is on, each refresh is composited at its time, as the VO does, held
// (the last few, as the write-back's blocks) and offered to the VM (an id and the refresh's time)
// for kd_mpi_wbc_dump_frame and Encoder.SendFrame. What this costs the simulator's CPU is in
// docs/display-source.md.
import { cameraPicture, composeDisplay, type LayerPixels } from './image';

export interface DisplayFrame {
  /** CLOCK_MONOTONIC microseconds of the refresh, the clock of VENC's pts */
  ptsUs: bigint;
  /** I420, width x height */
  picture: Uint8Array;
}

interface OsdLayer {
  x: number;
  y: number;
  alpha: number;
  pixels: LayerPixels;
}

/** A video layer's camera: its sensor channel runs at the sensor's rate. */
interface VideoLayer {
  channel: number;
}

export const monotonicUs = (): bigint => process.hrtime.bigint() / 1000n;

export class DisplayOutput {
  private osd = new Map<number, OsdLayer>();
  private video = new Map<number, VideoLayer>();
  private timer?: NodeJS.Timeout;
  private refreshes = new Map<number, DisplayFrame>();
  private nextId = 1;
  /** the write-back's size, while it is on */
  private wbc?: { width: number; height: number };

  constructor(
    readonly width: number,
    readonly height: number,
    readonly fps: number,
    /** a refresh the write-back holds: offered to the VM */
    private readonly onRefresh: (id: number, ptsUs: bigint, width: number, height: number) => void,
    /** the sensor's frame rate now; 0 when it is stopped (a video layer then shows black) */
    private readonly sensorFps: () => number,
  ) {}

  showLayer(layer: number, x: number, y: number, alpha: number, pixels: LayerPixels): void {
    this.osd.set(layer, { x, y, alpha, pixels });
  }

  bindVideo(layer: number, channel: number): void {
    if (channel < 0) this.video.delete(layer);
    else this.video.set(layer, { channel });
  }

  /** The write-back's size must be the display's: the simulated VO does not scale it. */
  setWriteBack(width: number, height: number): boolean {
    return width === this.width && height === this.height;
  }

  enableWriteBack(on: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.refreshes.clear();
    this.wbc = on ? { width: this.width, height: this.height } : undefined;
    if (on) this.tick(monotonicUs());
  }

  /** The refresh `id`, or undefined when the write-back no longer holds it. */
  frame(id: number): DisplayFrame | undefined {
    return this.refreshes.get(id);
  }

  /** What the display shows now: the camera's picture on a bound video layer, the OSD layers over it. */
  private compose(ptsUs: bigint): Uint8Array {
    const fps = this.sensorFps();
    const camera = this.video.size > 0 && fps > 0 ? cameraPicture(this.width, this.height, Math.floor(Number(ptsUs) * fps / 1e6)) : undefined;
    const layers = [...this.osd.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
    return composeDisplay(this.width, this.height, camera, layers);
  }

  close(): void {
    this.enableWriteBack(false);
    this.osd.clear();
    this.video.clear();
  }

  /** One refresh on the display's grid of 1/fps from the clock's zero, then the next. */
  private tick(now: bigint): void {
    const periodUs = 1_000_000 / this.fps;
    const slot = Math.ceil(Number(now) / periodUs);
    const ptsUs = BigInt(Math.round(slot * periodUs));
    this.timer = setTimeout(() => {
      if (!this.wbc) return;
      const id = this.nextId++;
      this.refreshes.set(id, { ptsUs, picture: this.compose(ptsUs) });
      this.refreshes.delete(id - 4); // the write-back holds a few refreshes (blk_cnt), the oldest go
      this.onRefresh(id, ptsUs, this.wbc.width, this.wbc.height);
      const now = monotonicUs();
      this.tick(now > ptsUs ? now : ptsUs + 1n); // late by whole periods: those refreshes are gone
    }, Math.max(0, Number(ptsUs - now) / 1000));
  }
}
