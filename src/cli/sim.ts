import { parseArgs } from 'node:util';
import { startSimulatedBoard } from '../host/simulated-board';

export async function simCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { sdcard: { type: 'string' }, name: { type: 'string' } } });
  const board = await startSimulatedBoard({ sdcard: values.sdcard, boardName: values.name });
  console.log(board.portPath);
  process.stderr.write(`simulated board on ${board.portPath}; Ctrl-C stops it\n`);
  const stop = () => void board.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => board.process.once('exit', (c) => resolve(c ?? 0)));
  return code;
}
