import { parseArgs } from 'node:util';
import { UserError } from '../shared/user-error';
import { startSimulatedBoard } from '../simulators/start-simulated-board';

export async function simCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { sdcard: { type: 'string' }, name: { type: 'string' }, stock: { type: 'boolean' }, firmware: { type: 'string' }, 'no-microphone': { type: 'boolean' } },
  });
  if (values.firmware && !values.stock) throw new UserError('--firmware is for a stock board: give --stock too');
  const board = await startSimulatedBoard({ sdcard: values.sdcard, boardName: values.name, stock: values.stock, firmware: values.firmware, noMicrophone: values['no-microphone'] });
  console.log(board.portPath);
  process.stderr.write(`simulated board on ${board.portPath}; Ctrl-C stops it\n`);
  const stop = () => void board.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => board.process.once('exit', (c) => resolve(c ?? 0)));
  return code;
}
