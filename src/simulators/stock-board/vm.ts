// The simulated stock board's CPU: the real MicroPython VM (WebAssembly) in a worker thread, from
// one boot to the next soft reset. Its stdin, stdout, the encoder's packs and the microphone's
// frames come from the board (board.ts) through a MessagePort, and it waits for them as a script
// waits on the real board, in Atomics.wait, so that blocking reads, select.poll,
// Encoder.GetStream and a pyaudio stream's read() block here too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { imageLayer, imageModule } from './image';
import { sdcardFs } from './sdcard-fs';
import type { ToBoard, ToVm, VmConfig } from './vm-messages';

/* eslint-disable @typescript-eslint/no-explicit-any -- the VM's module and FS are untyped */
const config = workerData as VmConfig;
const port: MessagePort = config.port;
const signal = new Int32Array(config.signal); // [0] bumps on every message to us; [1] stdout bytes not yet sent; [2] the last [0] taken
const OUT_LIMIT = 64 * 1024; // what the USB side holds before a write blocks, as a full CDC buffer does

const send = (m: ToBoard, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);

interface Channel {
  size: number; // the stream buffer's
  packs: { kind: number; pts: bigint; data: Uint8Array }[];
  timeoutMs: number;
  /** a pack was just read: the next read ends that readinto with 0 bytes */
  delivered: boolean;
}
const VENC_DEVICE_MAJOR = 64;
const channels = new Map<number, Channel>();
const AI_DEVICE_MAJOR = 65;
/** the frames ai holds for a script (pyaudio's DIV_NUM); when no one reads, the oldest goes */
const AI_FRAMES = 5;
const mic = { rate: 0, samples: 0, attrOk: false, enabled: false, frames: [] as Uint8Array[], timeoutMs: -1, delivered: false };
/** The script's display (Display.init) and its write-back: the newest refresh not yet dumped. */
const display = { width: 0, height: 0, wbcOn: false, refresh: undefined as { id: number; pts: bigint; width: number; height: number } | undefined, timeoutMs: -1, delivered: false };
const WBC_DEVICE_MAJOR = 66;
const stdin: Uint8Array[] = [];
let seen = 0;
let mod: any;
/** a Ctrl-C came for the running script: the wait it is in ends, and KeyboardInterrupt is raised */
let interrupted = false;

/** Takes every message that came; a Ctrl-C for a running script raises KeyboardInterrupt there. */
function pump(running: boolean): void {
  const now = Atomics.load(signal, 0);
  if (now === seen) return;
  seen = now;
  Atomics.store(signal, 2, now); // taken: the board sees that the VM reads the port
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as ToVm;
    if (msg.type === 'usb') {
      let bytes = new Uint8Array(msg.bytes);
      const intr = running ? mod.ccall('mp_hal_get_interrupt_char', 'number', [], []) : -1;
      if (intr >= 0 && bytes.includes(intr)) {
        bytes = bytes.filter((b) => b !== intr);
        mod.ccall('mp_sched_keyboard_interrupt', null, [], []);
        interrupted = true;
      }
      if (bytes.length) stdin.push(bytes);
    } else if (msg.type === 'pack') {
      channels.get(msg.chn)?.packs.push({ kind: msg.kind, pts: BigInt(msg.pts), data: new Uint8Array(msg.data) });
    } else if (msg.type === 'wbc-frame') {
      if (display.wbcOn) display.refresh = { id: msg.id, pts: BigInt(msg.pts), width: msg.width, height: msg.height };
    } else if (msg.type === 'ai-frame' && mic.enabled) {
      mic.frames.push(new Uint8Array(msg.data));
      if (mic.frames.length > AI_FRAMES) mic.frames.shift();
    }
  }
}

function wait(ms: number): void {
  Atomics.wait(signal, 0, seen, ms);
}

function takeStdin(max: number): Uint8Array | undefined {
  const first = stdin[0];
  if (!first) return undefined;
  if (first.length <= max) return stdin.shift();
  stdin[0] = first.subarray(max);
  return first.subarray(0, max);
}

function writeOut(bytes: Uint8Array): void {
  const copy = new Uint8Array(bytes); // a copy: a Buffer's slice() would hand over its whole pool
  Atomics.add(signal, 1, copy.length);
  send({ type: 'out', bytes: copy.buffer }, [copy.buffer]);
  for (let queued = Atomics.load(signal, 1); queued > OUT_LIMIT; queued = Atomics.load(signal, 1)) {
    pump(true);
    Atomics.wait(signal, 1, queued, 50);
  }
}

const cooked = config.firmware.stdoutCooked;
function stdout(buf: Uint8Array, offset: number, length: number): number {
  let bytes = buf.subarray(offset, offset + length);
  if (cooked && bytes.includes(10)) bytes = Buffer.from(Buffer.from(bytes).toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  writeOut(bytes);
  pump(true);
  return length;
}

function installStdio(FS: any): void {
  const eintr = () => {
    interrupted = false;
    throw new FS.ErrnoError(27); // EINTR: MicroPython then raises the pending KeyboardInterrupt
  };
  const inOps = {
    ...FS.getStream(0).stream_ops,
    read(_s: unknown, buf: Uint8Array, offset: number, length: number) {
      for (;;) {
        pump(true);
        if (interrupted) eintr();
        // Before v1.7, a script's stdin is the RT-Smart console, not USB: it never hears the host.
        const got = config.firmware.stdinFromUsb ? takeStdin(length) : undefined;
        if (got) {
          buf.set(got, offset);
          return got.length;
        }
        wait(1000);
      }
    },
    poll() {
      pump(true);
      if (config.firmware.stdinFromUsb && stdin.length) return 5; // POLLIN | POLLOUT
      wait(1); // nothing yet: a short sleep, so that select.poll's loop does not spin a core
      pump(true);
      return config.firmware.stdinFromUsb && stdin.length ? 5 : 4;
    },
  };
  const outOps = { ...FS.getStream(1).stream_ops, write: (_s: unknown, b: Uint8Array, o: number, l: number) => stdout(b, o, l), poll: () => 4 };
  for (const fd of [0, 1, 2]) FS.getStream(fd).stream_ops = fd === 0 ? inOps : outOps;
}

/** The simulator's own module `_board`, behind the firmware modules of device-agent/stock-sim/firmware. */
function boardModule() {
  return {
    firmware_release: () => config.firmware.release,
    board_name: () => config.boardName,
    sensor_run: (fps: number) => send({ type: 'sensor', fps }),
    bind: (sensorChn: number, vencChn: number, on: boolean) => send({ type: 'bind', sensorChn, vencChn, on }),
    venc_create(chn: number, width: number, height: number, codec: number, profile: number, kbps: number, gop: number, fps: number, size: number, bufs: number) {
      if (channels.has(chn)) return -1;
      channels.set(chn, { size, packs: [], timeoutMs: -1, delivered: false });
      send({ type: 'venc-create', chn, settings: { width, height, codec, profile, kbps, gop, fps }, bufs });
      return 0;
    },
    venc_start: (chn: number) => (channels.has(chn) ? (send({ type: 'venc-start', chn }), 0) : -1),
    venc_stop: (chn: number) => (channels.has(chn) ? (send({ type: 'venc-stop', chn }), 0) : -1),
    venc_idr: (chn: number) => (channels.has(chn) ? (send({ type: 'venc-idr', chn }), 0) : -1),
    venc_destroy(chn: number) {
      if (!channels.delete(chn)) return -1;
      send({ type: 'venc-destroy', chn });
      return 0;
    },
    venc_release: (chn: number) => (channels.has(chn) ? 0 : -1),
    /** how long the next read of /dev/vencN waits for a pack: ms, or -1 for ever */
    venc_timeout(chn: number, ms: number) {
      const c = channels.get(chn);
      if (c) c.timeoutMs = ms;
    },
    /** ai's attributes: 0 when the simulated microphone gives them (mono, 16-bit, 8000 or 16000 Hz) */
    ai_set_pub_attr(rate: number, channels: number, bits: number, samples: number) {
      mic.attrOk = !mic.enabled && channels === 1 && bits === 0 && (rate === 8000 || rate === 16000) && samples >= 1 && samples <= rate;
      if (mic.attrOk) Object.assign(mic, { rate, samples });
      return mic.attrOk ? 0 : -1;
    },
    ai_enable() {
      if (!config.microphone || !mic.attrOk || mic.enabled) return -1;
      Object.assign(mic, { enabled: true, frames: [], delivered: false });
      send({ type: 'ai-enable', rate: mic.rate, samples: mic.samples });
      return 0;
    },
    ai_disable() {
      if (!mic.enabled) return -1;
      Object.assign(mic, { enabled: false, attrOk: false, frames: [] });
      send({ type: 'ai-disable' });
      return 0;
    },
    /** how long the next read of /dev/ai0 waits for a frame: ms, or -1 for ever */
    ai_timeout(ms: number) {
      mic.timeoutMs = ms;
    },
    /** Waits for the sensor's next frame at `fps` (sensor.snapshot); its number on the clock's grid. */
    sensor_frame_wait(fps: number): number {
      const periodUs = 1e6 / fps;
      const slot = Math.floor(Number(process.hrtime.bigint() / 1000n) / periodUs) + 1;
      for (;;) {
        pump(true);
        const left = slot * periodUs - Number(process.hrtime.bigint() / 1000n);
        if (left <= 0 || interrupted) return slot;
        wait(Math.max(1, Math.min(left / 1000, 1000)));
      }
    },
    display_init(width: number, height: number, fps: number) {
      Object.assign(display, { width, height, wbcOn: false, refresh: undefined });
      send({ type: 'display-init', width, height, fps });
    },
    display_deinit() {
      Object.assign(display, { width: 0, height: 0, wbcOn: false, refresh: undefined });
      send({ type: 'display-deinit' });
    },
    display_video(layer: number, channel: number) {
      send({ type: 'display-video', layer, channel });
    },
    /** show_image: the image as the OSD layer holds it, converted here, the pixels to the board */
    display_layer(layer: number, x: number, y: number, handle: number, alpha: number) {
      const p = imageLayer(handle);
      const own = (a: Uint8Array) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice()).buffer as ArrayBuffer;
      const m = { layer, x, y, alpha, width: p.width, height: p.height, y8: own(p.y), u8: own(p.u), v8: own(p.v), a8: p.alpha && own(p.alpha) };
      send({ type: 'display-layer', ...m }, [m.y8, m.u8, m.v8, ...(m.a8 ? [m.a8] : [])]);
    },
    /** kd_mpi_vo_set_wbc_attr: 0 when the display can write back at that size (it does not scale) */
    wbc_set: (width: number, height: number) => (display.width > 0 && width === display.width && height === display.height ? 0 : -1),
    wbc_enable(on: boolean) {
      if (on && !display.width) return -1;
      display.wbcOn = on;
      display.refresh = undefined;
      send({ type: 'wbc-enable', on });
      return 0;
    },
    /** how long the next read of /dev/wbc waits for a refresh: ms, or -1 for ever */
    wbc_timeout(ms: number) {
      display.timeoutMs = ms;
    },
    wbc_release: () => 0, // the board keeps the last few refreshes; nothing is held for the VM
    venc_send_frame(chn: number, id: number) {
      if (!channels.has(chn)) return -1;
      send({ type: 'venc-frame', chn, id });
      return 0;
    },
  };
}

/** What a device of the MPP holds for a script's blocking read (kd_mpi_venc_get_stream,
 * kd_mpi_ai_get_frame, kd_mpi_wbc_dump_frame): how long the next read waits, in ms (-1: for ever),
 * and whether the last read did not fill the script's buffer (its readinto then reads once more). */
interface DeviceState {
  timeoutMs: number;
  delivered: boolean;
}

/** One read of such a device: the next item, written into the script's buffer by `put` (which says
 * how many bytes), as soon as there is one within the timeout; 0 when none came, on a Ctrl-C, and
 * once after a read that did not fill the buffer (the end of that readinto). */
function deviceRead<T>(dev: DeviceState, length: number, take: () => T | undefined, put: (item: T) => number): number {
  if (dev.delivered) {
    dev.delivered = false;
    return 0;
  }
  const deadline = dev.timeoutMs < 0 ? Infinity : performance.now() + dev.timeoutMs;
  for (;;) {
    pump(true);
    if (interrupted) return 0;
    const item = take();
    if (item !== undefined) {
      const n = put(item);
      dev.delivered = n < length;
      return n;
    }
    const left = deadline - performance.now();
    if (left <= 0) return 0;
    wait(Math.min(left, 1000));
  }
}

/** /dev/wbc: each read is the write-back's newest refresh not yet taken (24-byte head: id, width,
 * height, 0, pts), as kd_mpi_wbc_dump_frame fills a k_video_frame_info; nothing within the timeout: 0. */
function installWriteBackDevice(FS: any): void {
  const ops = {
    open() {},
    close() {},
    read(_stream: any, buf: Int8Array, offset: number, length: number) {
      if (!display.wbcOn || length < 24) throw new FS.ErrnoError(29);
      const take = () => {
        const r = display.refresh;
        display.refresh = undefined;
        return r;
      };
      return deviceRead(display, length, take, (r) => {
        const head = new DataView(buf.buffer, buf.byteOffset + offset, 24);
        head.setUint32(0, r.id, true);
        head.setUint32(4, r.width, true);
        head.setUint32(8, r.height, true);
        head.setUint32(12, 0, true);
        head.setBigUint64(16, r.pts, true);
        return 24;
      });
    },
  };
  FS.registerDevice(FS.makedev(WBC_DEVICE_MAJOR, 0), ops);
  FS.mkdev('/dev/wbc', 0o444, FS.makedev(WBC_DEVICE_MAJOR, 0));
}

/** /dev/venc0..3: each read is the channel's next pack (16-byte head: kind, size, pts; then its
 * bytes) into the script's buffer, as VENC fills a stream buffer; nothing within the timeout: 0. */
function installEncoderDevices(FS: any): void {
  const ops = {
    open() {},
    close() {},
    read(stream: any, buf: Int8Array, offset: number, length: number) {
      const c = channels.get(stream.node.rdev & 0xff);
      if (!c) throw new FS.ErrnoError(29);
      return deviceRead(c, length, () => c.packs.shift(), (p) => {
        const n = Math.min(p.data.length, length - 16);
        const head = new DataView(buf.buffer, buf.byteOffset + offset, 16);
        head.setUint32(0, p.kind, true);
        head.setUint32(4, n, true);
        head.setBigUint64(8, p.pts, true);
        buf.set(new Int8Array(p.data.buffer, p.data.byteOffset, n), offset + 16);
        send({ type: 'venc-taken', chn: stream.node.rdev & 0xff });
        return 16 + n;
      });
    },
  };
  for (let chn = 0; chn < 4; chn++) {
    FS.registerDevice(FS.makedev(VENC_DEVICE_MAJOR, chn), ops);
    FS.mkdev(`/dev/venc${chn}`, 0o444, FS.makedev(VENC_DEVICE_MAJOR, chn));
  }
}

/** /dev/ai0: each read is the microphone's next frame, as k230-sim-ai wrote it, into the script's
 * buffer, as ai hands a frame to kd_mpi_ai_get_frame; nothing within the timeout: 0. */
function installMicrophoneDevice(FS: any): void {
  const ops = {
    open() {},
    close() {},
    read(_stream: any, buf: Int8Array, offset: number, length: number) {
      if (!mic.enabled) throw new FS.ErrnoError(29);
      return deviceRead(mic, length, () => mic.frames.shift(), (f) => {
        const n = Math.min(f.length, length);
        buf.set(new Int8Array(f.buffer, f.byteOffset, n), offset);
        return n;
      });
    },
  };
  FS.registerDevice(FS.makedev(AI_DEVICE_MAJOR, 0), ops);
  FS.mkdev('/dev/ai0', 0o444, FS.makedev(AI_DEVICE_MAJOR, 0));
}

function copyTree(FS: any, from: string, to: string): void {
  FS.mkdir(to);
  for (const name of fs.readdirSync(from)) {
    const p = path.join(from, name);
    if (fs.statSync(p).isDirectory()) copyTree(FS, p, `${to}/${name}`);
    else FS.writeFile(`${to}/${name}`, fs.readFileSync(p));
  }
}

const PRELUDE = `
import sys
sys.path.insert(0, '/firmware')
import _canmv_os
sys.modules['os'] = _canmv_os
del _canmv_os
import _canmv_time
sys.modules['time'] = _canmv_time
del _canmv_time
`;

/** Runs a script as pyexec does (Ctrl-C on while it runs); what it raised, as text, or ''. */
function runScript(mp: any, code: string): string {
  interrupted = false;
  try {
    mp.runPython(`import micropython\nmicropython.kbd_intr(3)`);
    mp.runPython(code);
    return '';
  } catch (e) {
    if ((e as Error).name !== 'PythonError') throw e;
    return (e as Error).message;
  }
}

/** A file of the card run at boot (boot.py, main.py), when there is one. */
function runFile(mp: any, file: string): void {
  let code: string;
  try {
    code = new TextDecoder().decode(mp.FS.readFile(file));
  } catch {
    return; // no such file
  }
  writeOut(Buffer.from(runScript(mp, code).replace(/\n/g, '\r\n'), 'latin1'));
}

async function boot(): Promise<void> {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  const mp = await loadMicroPython({ heapsize: 16 * 1024 * 1024, pystack: 8192, linebuffer: false, stdin: () => null, stdout: () => undefined });
  mod = mp._module;
  const FS = mp.FS;
  installStdio(FS);
  installEncoderDevices(FS);
  installMicrophoneDevice(FS);
  installWriteBackDevice(FS);
  mp.registerJsModule('_board', boardModule());
  mp.registerJsModule('_image', imageModule());
  copyTree(FS, config.firmwareDir, '/firmware');
  FS.mkdir('/sdcard');
  FS.mount(sdcardFs(FS, config.sdcard), {}, '/sdcard');
  mp.runPython(PRELUDE);
  mp.runPython(`import os\nos.chdir('/sdcard')`);
  send({ type: 'booted' });
  runFile(mp, '/sdcard/boot.py');
  runFile(mp, '/sdcard/main.py');
  // The friendly REPL is the VM's own. The raw REPL and raw-paste mode are the firmware's
  // pyexec.c ones, around the VM: this VM's event-driven REPL cannot wait for a paste's bytes.
  const ops = FS.getStream(1).stream_ops;
  ops.write = (_s: unknown, _b: Uint8Array, _o: number, l: number) => l; // the VM's banner is not the board's
  mp.replInit();
  ops.write = (_s: unknown, b: Uint8Array, o: number, l: number) => stdout(b, o, l);
  const say = (text: string) => writeOut(Buffer.from(text, 'latin1'));
  const banner = () => say(`${config.firmware.banner}\r\nType "help()" for more information.\r\n>>> `);
  say('\r\n');
  banner();
  const next = (): number => {
    for (;;) {
      pump(false);
      const byte = takeStdin(1);
      if (byte) return byte[0];
      wait(1000);
    }
  };
  const execute = (code: string) => say(`\u0004${runScript(mp, code)}\u0004`);
  for (;;) {
    const c = next();
    if (c === 0x02) {
      say('\r\n');
      banner();
    } else if (c === 0x01) {
      say('\r\nraw REPL; CTRL-B to exit\r\n>');
      if (rawRepl()) break;
    } else if (mp.replProcessChar(c)) {
      break; // Ctrl-D at the prompt: a soft reset
    }
  }
  send({ type: 'soft-reset' });

  /** The raw REPL; true when it ends in a soft reset. */
  function rawRepl(): boolean {
    const WINDOW = 128; // what CanMV answers (docs/stock-firmware.md)
    let code = '';
    for (;;) {
      const c = next();
      if (c === 0x02) {
        say('\r\n');
        banner();
        return false;
      } else if (c === 0x03) {
        code = '';
      } else if (c === 0x04) {
        if (!code) return true;
        say('OK');
        execute(code);
        code = '';
        say('>');
      } else if (c === 0x05 && !code) {
        const a = next();
        const b = a === 0x41 ? next() : -1;
        if (b !== 0x01) {
          code += String.fromCharCode(0x05, a);
          continue;
        }
        say(`R\u0001${String.fromCharCode(WINDOW & 0xff, WINDOW >> 8)}\u0001`); // raw-paste: window, then a first grant
        let paste = '';
        let window = WINDOW;
        for (;;) {
          const d = next();
          if (d === 0x04) break;
          if (d === 0x03) {
            paste = '';
            break;
          }
          paste += String.fromCharCode(d);
          if (--window === 0) {
            window = WINDOW;
            say('\u0001'); // room for one more window
          }
        }
        say('\u0004');
        execute(new TextDecoder().decode(Buffer.from(paste, 'latin1')));
        say('>');
      } else {
        code += String.fromCharCode(c);
      }
    }
  }
}

boot().catch((e) => {
  send({ type: 'crashed', message: String((e as Error).stack ?? e) });
});
