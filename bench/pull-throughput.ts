// Pull throughput over the PTY against the raw throughput of the same kind of PTY, side by side in
// one run, alternating so load on this shared machine hits both alike.
// `npx tsx bench/pull-throughput.ts [MB] [rounds]`
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectBoard } from '../src/host/board/connect';
import { pullFile } from '../src/host/files/pull-file';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { rawPtyThroughput } from './pty-pump';
import { median, round } from './stats';

export interface PullBenchResult {
  file_mb: number;
  rounds: number;
  raw_mbps: number[];
  pull_mbps: number[];
  /** median pull / median raw */
  pull_ratio: number;
}

export async function benchPull(megabytes = 256, rounds = 3): Promise<PullBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-bench-pull-'));
  const sdcard = path.join(dir, 'sdcard');
  fs.mkdirSync(sdcard);
  const size = megabytes << 20;
  const source = path.join(sdcard, 'big.bin');
  const block = Buffer.alloc(1 << 20);
  const fd = fs.openSync(source, 'w');
  for (let i = 0; i < megabytes; i++) {
    for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  const board = await startSimulatedBoard({ sdcard, build: false });
  const raw: number[] = [];
  const pulled: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      raw.push((await rawPtyThroughput(source, size)) / 1e6);
      const session = await connectBoard(board.portPath);
      try {
        const target = path.join(dir, `pulled-${r}.bin`);
        const result = await pullFile(session, '/sdcard/big.bin', target);
        // The pull's own figure includes its SHA-256 verification: that is what a user waits for.
        pulled.push(size / result.seconds / 1e6);
        fs.rmSync(target);
      } finally {
        await session.disconnect();
      }
    }
  } finally {
    await board.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { file_mb: megabytes, rounds, raw_mbps: raw.map((v) => round(v, 2)), pull_mbps: pulled.map((v) => round(v, 2)), pull_ratio: round(median(pulled) / median(raw), 2) };
}

if (require.main === module) {
  const [mb, rounds] = process.argv.slice(2).map(Number);
  benchPull(mb || 256, rounds || 3).then((r) => console.log(JSON.stringify(r, null, 2)));
}
