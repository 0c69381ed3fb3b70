// Instructions the agent spends per payload byte on its live path (queue, fMP4 mux, framing with
// CRC, write), counted by callgrind on a recorded 1080p stream replayed without the encoder.
// Counting instructions, not seconds, makes the figure the same on a busy machine.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../src/host/board/install-root';
import { round } from './stats';

export interface InstructionsResult {
  frames: number;
  payload_bytes: number;
  /** instructions inside the live path only: stream_on_au (camera thread) and stream_sender_run */
  instructions: number;
  instr_per_byte: number;
}

function callgrind(args: string[]): { instructions: number; stdout: string } {
  const out = path.join(os.tmpdir(), `k230-callgrind-${process.pid}.out`);
  // Only the live path is counted: not reading and splitting the file, which a camera does.
  const only = ['--toggle-collect=stream_on_au', '--toggle-collect=stream_sender_run'];
  const stdout = execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, ...only, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const summary = /^summary:\s+(\d+)/m.exec(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  if (!summary) throw new Error('callgrind wrote no summary');
  return { instructions: Number(summary[1]), stdout };
}

export function benchAgentInstructions(seconds = 10): InstructionsResult {
  const root = projectRoot();
  execFileSync('make', ['-s', '-C', path.join(root, 'device-agent'), 'build/replay'], { stdio: 'inherit' });
  const replay = path.join(root, 'device-agent', 'build', 'replay');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-replay-'));
  try {
    const stream = path.join(dir, 'stream.264');
    execFileSync('ffmpeg', ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-frames:v', String(seconds * 30),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '8M', '-g', '30', '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'h264', stream]);
    const run = callgrind([replay, stream, '30', '/dev/null']);
    const m = /frames (\d+) dropped (\d+) payload_bytes (\d+)/.exec(run.stdout);
    if (!m || Number(m[2]) !== 0) throw new Error(`replay did not pass every frame: ${run.stdout}`);
    const bytes = Number(m[3]);
    const instructions = run.instructions;
    return { frames: Number(m[1]), payload_bytes: bytes, instructions, instr_per_byte: round(instructions / bytes, 2) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) console.log(JSON.stringify(benchAgentInstructions(), null, 2));
