// A simulated stock CanMV K230 board: the USB port (device-agent/tools/sim_usb.c on a PTY), the
// firmware's REPL and scripts in the real MicroPython VM (vm.ts, soft reset = a fresh VM), its
// media modules over the simulator's encoder (device-agent/tools/sim_venc.c, one process per
// channel) and microphone (device-agent/tools/sim_ai.c, while ai is enabled), its display output
// (display-output.ts), and the IDE-mode trap of canmv_k230 v1.7 on what the host sends.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { MessageChannel, Worker } from 'node:worker_threads';
import { DisplayOutput, monotonicUs } from './display-output';
import { couldStartIdeHeader, IDE_HEADER_SIZE, isIdeHeader } from './ide-mode';
import type { EncoderSettings, FirmwareModel, ToBoard, ToVm, VmConfig } from './vm-messages';

export interface StockBoardOptions {
  /** the CanMV firmware version to be, e.g. "1.7" */
  firmware: string;
  sdcard: string;
  /** the project (or installed extension) folder: device-agent/ and dist/ */
  root: string;
  device?: string;
  ptyLink?: string;
  boardName?: string;
  /** false: a board whose microphone will not start; default true */
  microphone?: boolean;
  log?: (line: string) => void;
}

/** What a firmware version looks like from the port, after canmv_k230's Makefile and mpconfigport.h. */
export function firmwareModel(version: string, boardName: string): FirmwareModel {
  const [major, minor] = version.split('.').map(Number);
  const modern = major > 1 || (major === 1 && minor >= 7);
  const release = modern ? `v${version}-0-g3f5a1c2` : `v${version}`;
  return {
    release,
    banner: `CanMV ${release}(based on Micropython e00a144) on 2026-06-30; ${boardName} with K230`,
    stdinFromUsb: modern,
    stdoutCooked: !modern,
  };
}

interface EncoderChannel {
  settings: EncoderSettings;
  bufs: number;
  started: boolean;
  process?: ChildProcess;
  /** set while the channel waits for the sensor's next frame to start its encoder */
  starting?: NodeJS.Timeout;
  /** packs handed to the VM and not yet taken by GetStream */
  queued: number;
  /** fed by Encoder.SendFrame (the display's write-back), not by a sensor channel */
  sentFrames: boolean;
}

const PACK_HEAD = 16;
/** How long the VM may take to read a Ctrl-C before the simulated board soft-resets it. */
const CTRL_C_TAKEN_MS = 1000;
/** a frame of k230-sim-ai: its head (u32 samples, u32 sequence, u64 pts), then 4 bytes a sample */
const AI_HEAD = 16;

export class StockBoard {
  private usb!: ChildProcess;
  private worker?: Worker;
  private toVm?: import('node:worker_threads').MessagePort;
  private signal = new Int32Array(new SharedArrayBuffer(12)); // [0] messages to the VM, [1] its stdout not yet sent, [2] messages it has taken
  private channels = new Map<number, EncoderChannel>();
  private microphone?: ChildProcess;
  private binds = new Map<number, number>(); // venc channel -> sensor channel
  private sensorFps = 0;
  /** when a sensor-fed encoder last ended (CLOCK_MONOTONIC µs), after every frame it gave: a sensor
   * started again gives its first frame no sooner than a period after it, as a real one must expose
   * and read out a whole frame first */
  private sensorEndedUs = 0n;
  private display?: DisplayOutput;
  private held = Buffer.alloc(0); // bytes that may be the start of an IDE-mode header
  private heldTimer?: NodeJS.Timeout;
  private readonly firmware: FirmwareModel;
  private stopping = false;
  /** settles start(): the first boot's end, or its failure */
  private firstBoot?: (error?: Error) => void;

  constructor(private readonly options: StockBoardOptions) {
    this.firmware = firmwareModel(options.firmware, options.boardName ?? 'k230_canmv');
  }

  private bin(name: string): string {
    return path.join(this.options.root, 'device-agent', 'build', name);
  }

  async start(): Promise<string> {
    const args = this.options.device ? ['--device', this.options.device] : ['--pty'];
    if (this.options.ptyLink) args.push('--pty-link', this.options.ptyLink);
    this.usb = spawn(this.bin('k230-sim-usb'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const portPath = await new Promise<string>((resolve, reject) => {
      const lines = readline.createInterface({ input: this.usb.stderr! });
      lines.once('line', (line) => {
        const m = /^(PTY|DEVICE) (\S+)$/.exec(line);
        if (m) resolve(m[2]);
        else reject(new Error(`the USB port said "${line}"`));
      });
      this.usb.once('exit', (code) => reject(new Error(`the USB port exited (${code})`)));
    });
    this.usb.stdout!.on('data', (b: Buffer) => this.fromHost(b));
    this.usb.once('exit', () => void this.stop());
    // The port is announced once the firmware reads it, as a board's USB port answers once it has
    // booted: a host probing before the VM loaded would find it silent.
    await new Promise<void>((resolve, reject) => {
      this.firstBoot = (error) => (error ? reject(error) : resolve());
      this.bootVm();
    });
    return portPath;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.endDisplay();
    this.killEncoders();
    await this.worker?.terminate();
    this.usb.stdin?.end();
    if (this.usb.exitCode === null) this.usb.kill('SIGTERM');
  }

  // ---- the host's bytes: the IDE-mode trap first, then the REPL or the running script
  private fromHost(bytes: Buffer): void {
    let b = Buffer.concat([this.held, bytes]);
    this.held = Buffer.alloc(0);
    clearTimeout(this.heldTimer);
    for (let at = b.indexOf(0x30); at >= 0; at = b.indexOf(0x30, at + 1)) {
      if (isIdeHeader(b, at)) {
        this.toScript(b.subarray(0, at));
        this.options.log?.('IDE-mode header on the port: the running script is reset');
        b = b.subarray(at + IDE_HEADER_SIZE);
        this.softReset();
        at = -1;
        continue;
      }
      if (b.length - at < IDE_HEADER_SIZE && couldStartIdeHeader(b.subarray(at))) {
        this.held = Buffer.from(b.subarray(at));
        b = b.subarray(0, at);
        // a header that never completes goes on to the REPL after 200 ms, as the firmware's does
        this.heldTimer = setTimeout(() => {
          const rest = this.held;
          this.held = Buffer.alloc(0);
          this.toScript(rest);
        }, 200);
        break;
      }
    }
    this.toScript(b);
  }

  private tell(m: ToVm, transfer: ArrayBuffer[] = []): void {
    if (!this.toVm) return;
    this.toVm.postMessage(m, transfer);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
  }

  private toScript(b: Uint8Array): void {
    if (!b.length) return;
    const copy = Uint8Array.from(b);
    this.tell({ type: 'usb', bytes: copy.buffer }, [copy.buffer]);
    if (b.includes(0x03)) this.ctrlCTaken(Atomics.load(this.signal, 0));
  }

  /**
   * A board's firmware raises KeyboardInterrupt from its reader thread, even in a loop without I/O;
   * this VM takes the port's bytes only at I/O (docs/running-scripts.md). A Ctrl-C it has not taken
   * within CTRL_C_TAKEN_MS ends the loop the one way left here: a soft reset.
   */
  private ctrlCTaken(sent: number): void {
    setTimeout(() => {
      if (this.stopping || !this.toVm || Atomics.load(this.signal, 2) >= sent) return;
      this.options.log?.('Ctrl-C not taken: the script loops without I/O, which this VM cannot interrupt; a soft reset ends it');
      this.softReset();
    }, CTRL_C_TAKEN_MS);
  }

  // ---- the VM: one per boot
  private bootVm(): void {
    const { port1, port2 } = new MessageChannel();
    Atomics.store(this.signal, 1, 0);
    const config: VmConfig = {
      port: port2,
      signal: this.signal.buffer as SharedArrayBuffer,
      firmware: this.firmware,
      firmwareDir: path.join(this.options.root, 'device-agent', 'stock-sim', 'firmware'),
      sdcard: this.options.sdcard,
      boardName: this.options.boardName ?? 'k230_canmv',
      microphone: this.options.microphone !== false,
    };
    this.toVm = port1;
    this.worker = new Worker(path.resolve(this.options.root, 'dist', 'stock-board-vm.js'), { workerData: config, transferList: [port2] });
    port1.on('message', (m: ToBoard) => this.fromVm(m));
    this.worker.once('error', (e) => {
      this.firstBoot?.(new Error(`the VM failed: ${e.message}`));
      this.options.log?.(`the VM failed: ${e.stack ?? e.message}`);
    });
  }

  private softReset(): void {
    this.endDisplay();
    this.killEncoders();
    this.binds.clear();
    this.sensorFps = 0;
    const old = this.worker;
    this.toVm?.close();
    this.toVm = undefined;
    this.worker = undefined;
    void old?.terminate();
    this.usb.stdin!.write('MPY: soft reboot\r\n');
    this.bootVm();
  }

  private fromVm(m: ToBoard): void {
    if (process.env.K230_STOCK_TRACE && m.type !== 'out' && m.type !== 'venc-taken') this.options.log?.(`vm: ${JSON.stringify(m)}`);
    switch (m.type) {
      case 'out': {
        const n = m.bytes.byteLength;
        this.usb.stdin!.write(Buffer.from(m.bytes), () => {
          Atomics.sub(this.signal, 1, n);
          Atomics.notify(this.signal, 1);
        });
        return;
      }
      case 'sensor':
        this.sensorFps = m.fps;
        return this.feedEncoders();
      case 'bind':
        if (m.on) this.binds.set(m.vencChn, m.sensorChn);
        else this.binds.delete(m.vencChn);
        return this.feedEncoders();
      case 'venc-create':
        this.channels.set(m.chn, { settings: m.settings, bufs: m.bufs, started: false, queued: 0, sentFrames: false });
        return;
      case 'venc-start':
      case 'venc-stop': {
        const c = this.channels.get(m.chn);
        if (c) c.started = m.type === 'venc-start';
        return this.feedEncoders();
      }
      case 'venc-idr':
        this.channels.get(m.chn)?.process?.stdin?.write('I');
        return;
      case 'venc-destroy':
        this.endEncoder(this.channels.get(m.chn));
        this.channels.delete(m.chn);
        return;
      case 'venc-taken': {
        const c = this.channels.get(m.chn);
        if (c && --c.queued < c.bufs * 2) c.process?.stdout?.resume();
        return;
      }
      case 'venc-frame':
        return this.encodeDisplayFrame(m.chn, m.id);
      case 'display-init':
        this.endDisplay();
        this.display = new DisplayOutput(m.width, m.height, m.fps,
          (id, pts, width, height) => this.tell({ type: 'wbc-frame', id, pts: pts.toString(), width, height }), () => this.sensorFps);
        return;
      case 'display-deinit':
        return this.endDisplay();
      case 'display-video':
        return this.display?.bindVideo(m.layer, m.channel);
      case 'display-layer':
        return this.display?.showLayer(m.layer, m.x, m.y, m.alpha, {
          width: m.width, height: m.height, y: new Uint8Array(m.y8), u: new Uint8Array(m.u8), v: new Uint8Array(m.v8), alpha: m.a8 && new Uint8Array(m.a8),
        });
      case 'wbc-enable':
        return this.display?.enableWriteBack(m.on);
      case 'ai-enable':
        return this.startMicrophone(m.rate, m.samples);
      case 'ai-disable':
        return this.endMicrophone();
      case 'soft-reset':
        return this.softReset();
      case 'booted':
        return this.firstBoot?.();
      case 'crashed':
        this.firstBoot?.(new Error(`the VM crashed: ${m.message}`));
        this.options.log?.(`the VM crashed: ${m.message}`);
    }
  }

  private endDisplay(): void {
    this.display?.close();
    this.display = undefined;
  }

  /** Encoder.SendFrame of a write-back frame: composited now, into the channel's encoder. */
  private encodeDisplayFrame(chn: number, id: number): void {
    const c = this.channels.get(chn);
    const frame = this.display?.frame(id);
    if (!c?.started || !frame) return;
    const s = c.settings;
    if (this.display!.width !== s.width || this.display!.height !== s.height) {
      this.options.log?.(`SendFrame: a ${this.display!.width}x${this.display!.height} frame into a ${s.width}x${s.height} channel is refused`);
      return;
    }
    if (!c.process) {
      c.sentFrames = true;
      this.startEncoder(chn, c);
    }
    const head = Buffer.alloc(9);
    head[0] = 0x46; // 'F'
    head.writeBigUInt64LE(frame.ptsUs, 1);
    c.process!.stdin!.write(head);
    c.process!.stdin!.write(frame.picture);
  }

  // ---- the encoder channels: frames flow while started, bound to a sensor channel, and the sensor
  // runs; or, fed by SendFrame, while started
  private feedEncoders(): void {
    for (const [chn, c] of this.channels) {
      if (c.sentFrames) {
        if (!c.started) this.endEncoder(c);
        continue;
      }
      const flowing = c.started && this.binds.has(chn) && this.sensorFps > 0;
      if (flowing && !c.process && !c.starting) this.startEncoderAfterSensorStop(chn, c);
      else if (!flowing) this.endEncoder(c);
    }
  }

  /** k230-sim-venc's sensor gives its first frame at once: held back until a period after the
   * sensor's last stop, so a channel whose sensor restarted (another channel bound) never has two
   * pictures closer than a period (ffmpeg: "non monotonically increasing dts"). */
  private startEncoderAfterSensorStop(chn: number, c: EncoderChannel): void {
    const periodUs = BigInt(Math.ceil(1e6 / Math.min(c.settings.fps, this.sensorFps)));
    const waitUs = this.sensorEndedUs + periodUs - monotonicUs();
    if (waitUs <= 0n) return this.startEncoder(chn, c);
    c.starting = setTimeout(() => {
      c.starting = undefined;
      this.startEncoder(chn, c);
    }, Math.ceil(Number(waitUs) / 1000));
  }

  private startEncoder(chn: number, c: EncoderChannel): void {
    const s = c.settings;
    const fps = c.sentFrames ? s.fps : Math.min(s.fps, this.sensorFps);
    const args = ['--width', s.width, '--height', s.height, '--fps', fps, '--codec', s.codec, '--profile', s.profile,
      '--bitrate-kbps', s.kbps, '--gop', s.gop].map(String);
    if (c.sentFrames) args.push('--input', 'frames');
    const child = spawn(this.bin('k230-sim-venc'), args, { stdio: ['pipe', 'pipe', 'inherit'] });
    c.process = child;
    let pending: Buffer = Buffer.alloc(0);
    child.stdout!.on('data', (d: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= PACK_HEAD) {
        const size = pending.readUInt32LE(4);
        if (pending.length < PACK_HEAD + size) break;
        const data = Uint8Array.from(pending.subarray(PACK_HEAD, PACK_HEAD + size));
        this.tell({ type: 'pack', chn, kind: pending[0], pts: pending.readBigUInt64LE(8).toString(), data: data.buffer }, [data.buffer]);
        pending = pending.subarray(PACK_HEAD + size);
        // VENC out of stream buffers: the sensor's frames wait (and the camera skips them), as on the board
        if (++c.queued >= c.bufs * 2) child.stdout!.pause();
      }
    });
    child.once('exit', () => {
      if (c.process === child) c.process = undefined;
    });
  }

  private endEncoder(c: EncoderChannel | undefined): void {
    clearTimeout(c?.starting);
    if (c) c.starting = undefined;
    if (!c?.process) return;
    if (!c.sentFrames) this.sensorEndedUs = monotonicUs();
    c.process.stdin?.end();
    c.process.kill('SIGTERM');
    c.process = undefined;
    c.queued = 0;
  }

  private killEncoders(): void {
    for (const c of this.channels.values()) this.endEncoder(c);
    this.channels.clear();
    this.endMicrophone();
  }

  // ---- the microphone: frames flow while ai is enabled (the VM keeps the few a script has not read)
  private startMicrophone(rate: number, samples: number): void {
    this.endMicrophone();
    const child = spawn(this.bin('k230-sim-ai'), ['--rate', String(rate), '--samples', String(samples)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.microphone = child;
    let pending: Buffer = Buffer.alloc(0);
    child.stdout!.on('data', (d: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= AI_HEAD) {
        const size = AI_HEAD + 4 * pending.readUInt32LE(0);
        if (pending.length < size) break;
        const data = Uint8Array.from(pending.subarray(0, size));
        this.tell({ type: 'ai-frame', data: data.buffer }, [data.buffer]);
        pending = pending.subarray(size);
      }
    });
    child.once('exit', () => {
      if (this.microphone === child) this.microphone = undefined;
    });
  }

  private endMicrophone(): void {
    if (!this.microphone) return;
    this.microphone.stdin?.end();
    this.microphone.kill('SIGTERM');
    this.microphone = undefined;
  }
}
