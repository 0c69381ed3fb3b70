// The MicroPython agent (stock CanMV firmware) beside the C agent, in the same run:
// - ceiling: MB/s of stream each can mux and frame, fed a recorded 1080p stream with no encoder
//   (MicroPython: the agent's Muxer and Link.send in the MicroPython VM; C: build/replay);
// - core share while streaming 720p30 and 1080p30 to a host that records it (the stock board's
//   VM process, its encoders excluded: on a board they are hardware; the C agent's figure is its
//   live path replayed at 30 fps, also without an encoder);
// - Connect to first frame: the stock board's includes finding the REPL and uploading the agent.
// The MicroPython figures are WebAssembly on this PC, not a K230's core: a board's are its own.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectBoard } from '../src/host/board/connect';
import { recordStream } from '../src/host/recording/record-stream';
import { projectRoot } from '../src/host/board/install-root';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { DEFAULT_STREAM_SETTINGS } from '../src/protocol/stream-settings';
import { cpuSeconds } from '../test/support/process-cpu';
import { sleep } from '../test/support/poll';
import { round } from './stats';

const root = projectRoot();

function recordedStream(dir: string, frames: number): string {
  const stream = path.join(dir, 'stream.264');
  execFileSync('ffmpeg', ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-frames:v', String(frames),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '8M', '-g', '30', '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'h264', stream]);
  return stream;
}

// In the VM: the stream's NAL units grouped into access units, then muxed and framed into a sink.
const CEILING = `
import sys, time
sys.path.insert(0, '/agent')
from mp4 import Muxer, nal_type, split_annexb
from wire import Link
data = open('/stream.264', 'rb').read()
aus, cur, slice_seen = [], [], False
for n in split_annexb(data):
    t = nal_type(1, n)
    first_slice = t in (1, 5) and n[1] & 0x80  # first_mb_in_slice == 0: a new picture
    if (t in (7, 9) or (first_slice and slice_seen)) and cur:
        aus.append(cur)
        cur, slice_seen = [], False
    cur.append(n)
    slice_seen = slice_seen or t in (1, 5)
aus.append(cur)
class Sink:
    def write(self, b):
        return len(b)
link = Link(Sink(), None)
mux = Muxer({'codec': 1, 'width': 1920, 'height': 1080, 'fps': 30, 'audio': 0, 'audio_rate': 0, 'source': 0})
sent = 0
t0 = time.ticks_us()
for i, au in enumerate(aus):
    key = any(nal_type(1, n) == 5 for n in au)
    out = mux.take(au, key, i * 33333)
    if out is None:
        continue
    init, head, sample = out
    if init:
        link.send('INIT_SEGMENT', 0, {'codec': 1, 'width': 1920, 'height': 1080, 'codec_string': 'avc1', 'audio': 0, 'audio_rate': 0, 'source': 0, 'data': b''}, init)
    link.send('FRAGMENT', 0, {'sequence': mux.sequence, 'pts_us': i * 33333, 'flags': 1 if key else 0, 'dropped': 0, 'data': b''}, head + sample)
    sent += len(sample)
us = time.ticks_diff(time.ticks_us(), t0)
print('%d %d %d' % (len(aus), sent, us))
`;

async function micropythonCeiling(stream: string): Promise<{ frames: number; mbps: number }> {
  const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
  let out = '';
  const mp = await loadMicroPython({ heapsize: 64 * 1024 * 1024, linebuffer: false, stdout: (b) => (out += Buffer.from(b).toString()) });
  mp.FS.mkdir('/agent');
  for (const name of ['wire.py', 'mp4.py']) mp.FS.writeFile(`/agent/${name}`, fs.readFileSync(path.join(root, 'device-agent', 'micropython', name)));
  mp.FS.writeFile('/stream.264', fs.readFileSync(stream));
  mp.runPython(CEILING);
  const [frames, bytes, us] = out.trim().split(' ').map(Number);
  return { frames, mbps: round(bytes / us) };
}

function cCeiling(stream: string): { frames: number; mbps: number } {
  execFileSync('make', ['-s', '-C', path.join(root, 'device-agent'), 'build/replay'], { stdio: 'inherit' });
  const t = performance.now();
  const stdout = execFileSync(path.join(root, 'device-agent', 'build', 'replay'), [stream, '30', '/dev/null'], { encoding: 'utf8' });
  const s = (performance.now() - t) / 1000;
  const m = /frames (\d+) dropped (\d+) payload_bytes (\d+)/.exec(stdout)!;
  return { frames: Number(m[1]), mbps: round(Number(m[3]) / 1e6 / s) };
}

/** The stock board VM process's share of one core while a host records its stream. */
async function stockCoreShare(width: number, height: number, seconds: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-stock-'));
  const board = await startSimulatedBoard({ stock: true, sdcard: dir, build: false });
  try {
    const s = await connectBoard(board.portPath);
    try {
      const recording = recordStream(s, { ...DEFAULT_STREAM_SETTINGS, width, height, fps: 30, bitrateKbps: 8000 }, path.join(dir, 'out.mp4'), { seconds: seconds + 2 });
      await sleep(2000); // past the start
      const cpu0 = cpuSeconds(board.process.pid!);
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const share = (cpuSeconds(board.process.pid!) - cpu0) / ((performance.now() - t0) / 1000);
      await recording;
      return Math.round(share * 1000) / 10;
    } finally {
      await s.disconnect();
    }
  } finally {
    await board.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The C agent's live path alone (no encoder), replayed unpaced: its CPU per frame, times 30 fps. */
function cCoreShare(stream: string): number {
  const replay = path.join(root, 'device-agent', 'build', 'replay');
  // bash's `times`: the children's user and system time, after the replay ran
  const out = execFileSync('bash', ['-c', `"$0" "$1" 30 /dev/null >/dev/null; times`, replay, stream], { encoding: 'utf8' });
  const [user, sys] = out.trim().split('\n')[1].split(' ').map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m[1]) * 60 + Number(m[2]);
  });
  const frames = 300;
  return Math.round(((user + sys) / (frames / 30)) * 1000) / 10;
}

async function connectToFirstFrame(stock: boolean, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-ttff-'));
    const board = await startSimulatedBoard({ stock, sdcard: dir, build: false });
    try {
      await sleep(1000); // the board has booted
      const t = performance.now();
      const s = await connectBoard(board.portPath);
      const first = new Promise<void>((resolve) => s.once('fragment', () => resolve()));
      await s.startStream({ ...DEFAULT_STREAM_SETTINGS, width: 1280, height: 720 });
      await first;
      times.push(Math.round(performance.now() - t));
      await s.disconnect();
    } finally {
      await board.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return times;
}

export async function benchStockAgent(seconds = 10, runs = 3) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-ceiling-'));
  try {
    const stream = recordedStream(dir, 300);
    const ceiling = { micropython: await micropythonCeiling(stream), c: cCeiling(stream) };
    const core_share_pct = {
      micropython_720p30: await stockCoreShare(1280, 720, seconds),
      micropython_1080p30: await stockCoreShare(1920, 1080, seconds),
      c_1080p30_live_path: cCoreShare(stream),
    };
    const connect_to_first_frame_ms = { micropython_with_upload: await connectToFirstFrame(true, runs), c: await connectToFirstFrame(false, runs) };
    return { ceiling_mbps: ceiling, ceiling_ratio: round(ceiling.micropython.mbps / ceiling.c.mbps, 3), core_share_pct, connect_to_first_frame_ms };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/stock-agent.ts connect [runs]`: Connect to first frame alone, on both boards.
if (require.main === module) {
  const [what, runs] = process.argv.slice(2);
  const bench = what === 'connect'
    ? async () => ({ connect_to_first_frame_ms: { micropython_with_upload: await connectToFirstFrame(true, Number(runs ?? 5)), c: await connectToFirstFrame(false, Number(runs ?? 5)) } })
    : () => benchStockAgent();
  void bench().then((r) => console.log(JSON.stringify(r, null, 2)));
}
