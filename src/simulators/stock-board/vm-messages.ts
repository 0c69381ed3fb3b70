// What the simulated board (board.ts) and its MicroPython VM (vm.ts) tell each other.
import type { MessagePort } from 'node:worker_threads';

export interface FirmwareModel {
  /** os.uname().release, e.g. "v1.7-0-g3f5a1c2" */
  release: string;
  /** the line the REPL prints at boot and on Ctrl-B */
  banner: string;
  /** v1.7 and later: a script's sys.stdin reads the USB port */
  stdinFromUsb: boolean;
  /** v1.6 and earlier: a script's stdout turns LF into CR LF */
  stdoutCooked: boolean;
}

export interface VmConfig {
  port: MessagePort;
  signal: SharedArrayBuffer;
  firmware: FirmwareModel;
  firmwareDir: string;
  sdcard: string;
  boardName: string;
  /** false: a board whose microphone will not start (ai cannot be enabled) */
  microphone: boolean;
}

/** An OSD layer's pixels (src/simulators/stock-board/image: I420 and alpha), as show_image sends them. */
export interface LayerMessage {
  layer: number;
  x: number;
  y: number;
  alpha: number;
  width: number;
  height: number;
  y8: ArrayBuffer;
  u8: ArrayBuffer;
  v8: ArrayBuffer;
  a8?: ArrayBuffer;
}

export interface EncoderSettings {
  width: number;
  height: number;
  codec: number;
  profile: number;
  kbps: number;
  gop: number;
  fps: number;
}

/** board -> VM */
export type ToVm =
  | { type: 'usb'; bytes: ArrayBuffer }
  | { type: 'pack'; chn: number; kind: number; pts: string; data: ArrayBuffer }
  /** a frame of the microphone, as k230-sim-ai wrote it (head, PCM, mu-law, A-law) */
  | { type: 'ai-frame'; data: ArrayBuffer }
  /** a refresh of the display that the write-back holds: kd_mpi_wbc_dump_frame hands it out */
  | { type: 'wbc-frame'; id: number; pts: string; width: number; height: number };

/** VM -> board */
export type ToBoard =
  | { type: 'out'; bytes: ArrayBuffer }
  | { type: 'sensor'; fps: number }
  | { type: 'bind'; sensorChn: number; vencChn: number; on: boolean }
  | { type: 'venc-create'; chn: number; settings: EncoderSettings; bufs: number }
  | { type: 'venc-start' | 'venc-stop' | 'venc-idr' | 'venc-destroy' | 'venc-taken'; chn: number }
  /** ai enabled: frames of `samples` at `rate` until ai-disable */
  | { type: 'ai-enable'; rate: number; samples: number }
  | { type: 'ai-disable' }
  /** Display.init: a display of this size and refresh rate; deinit ends it */
  | { type: 'display-init'; width: number; height: number; fps: number }
  | { type: 'display-deinit' }
  /** a video layer shows the camera's sensor channel (channel -1: unbound) */
  | { type: 'display-video'; layer: number; channel: number }
  | ({ type: 'display-layer' } & LayerMessage)
  | { type: 'wbc-enable'; on: boolean }
  /** Encoder.SendFrame: the display's refresh `id`, composited, into encoder channel `chn` */
  | { type: 'venc-frame'; chn: number; id: number }
  | { type: 'soft-reset' }
  /** MicroPython is loaded and about to run boot.py: the firmware is up and reads the port */
  | { type: 'booted' }
  | { type: 'crashed'; message: string };
