// The simulated boards a bench step runs against, each with a card of its own that goes with it:
// the C agent's (`agent`, built with the K230 SDK) and the stock CanMV firmware's, where the host
// uploads the MicroPython agent (`stock`).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulatedBoard, type SimulatedBoard } from '../src/simulators/start-simulated-board';

export type BenchBoard = 'agent' | 'stock';

export async function startBenchBoard(kind: BenchBoard): Promise<SimulatedBoard> {
  const sdcard = fs.mkdtempSync(path.join(os.tmpdir(), `k230-bench-${kind}-`));
  try {
    const board = await startSimulatedBoard({ stock: kind === 'stock', sdcard, build: false });
    return {
      portPath: board.portPath,
      process: board.process,
      stop: async () => {
        await board.stop();
        fs.rmSync(sdcard, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(sdcard, { recursive: true, force: true });
    throw e;
  }
}

/** The board named by a bench's command line (`--stock`), else the C agent's. */
export const boardFromArgs = (argv = process.argv): BenchBoard => (argv.includes('--stock') ? 'stock' : 'agent');
