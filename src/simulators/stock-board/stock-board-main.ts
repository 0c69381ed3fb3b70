// k230-stock-board: runs a simulated stock CanMV board (board.ts) until SIGTERM. Its port's path is
// the first stdout line, "PTY <path>" (or "DEVICE <path>"), as the C agent's simulator prints it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { StockBoard } from './stock-board';

const { values } = parseArgs({
  options: {
    firmware: { type: 'string', default: '1.7' },
    sdcard: { type: 'string' },
    device: { type: 'string' },
    'pty-link': { type: 'string' },
    'board-name': { type: 'string' },
    'no-microphone': { type: 'boolean' },
    root: { type: 'string', default: path.join(__dirname, '..') },
  },
});
// Without --sdcard the board gets a card of its own for this run, gone when the board exits.
const sdcard = values.sdcard ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k230-stock-sdcard-'));
if (!values.sdcard) process.once('exit', () => fs.rmSync(sdcard, { recursive: true, force: true }));
const board = new StockBoard({
  firmware: values.firmware!, sdcard, root: values.root!, device: values.device, ptyLink: values['pty-link'],
  boardName: values['board-name'], microphone: !values['no-microphone'], log: (line) => process.stderr.write(`stock board: ${line}\n`),
});
board.start().then(
  (portPath) => console.log(`${values.device ? 'DEVICE' : 'PTY'} ${values['pty-link'] ?? portPath}`),
  (e: Error) => {
    process.stderr.write(`stock board: ${e.message}\n`);
    process.exit(1);
  },
);
const stop = () => void board.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
