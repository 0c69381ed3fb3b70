// K230: Start Simulated Board: the agent with its simulator backend, or a stock CanMV board (its
// MicroPython firmware simulated), both shipped inside the extension.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as readline from 'node:readline';
import * as vscode from 'vscode';
import { UserError } from '../shared/user-error';
import { boardLogLine, SimulatedBoard, startSimulatedBoard } from '../simulators/start-simulated-board';
import { config } from './settings';
import { simulatorPath, sweepLeftovers } from './simulator-leftovers';

/** Its port path stays the same across restarts, so a reconnect finds it; each window's is its
 * own (its extension host's pid), so two windows' simulated boards never take each other's path. */
export const SIMULATED_PORT = simulatorPath(os.tmpdir(), 'port');

/** What both simulated boards run from the package: its programs, and the stock board's script and firmware files. */
const SIMULATOR_FILES = [
  ['device-agent', 'build', 'k230-agent'],
  ['device-agent', 'build', 'k230-sim-venc'],
  ['device-agent', 'build', 'k230-sim-usb'],
  ['device-agent', 'build', 'k230-sim-ai'],
  ['device-agent', 'stock-sim', 'firmware'],
  ['dist', 'stock-board.js'],
];

/**
 * Whether this installation carries the simulated boards: only the linux-x64 package does (and a
 * development tree once `make -C device-agent` has built them). For a context key that offers
 * K230: Start Simulated Board only where it can start.
 */
export function simulatorAvailable(extensionUri: vscode.Uri): boolean {
  return SIMULATOR_FILES.every((parts) => fs.existsSync(vscode.Uri.joinPath(extensionUri, ...parts).fsPath));
}

/** Throws the one line where this installation cannot start the board asked for (before anything
 * else changes); the user's own k230live.agentPath, when one is set for the agent's simulator. */
export function checkSimulator(extensionUri: vscode.Uri, stock: boolean): string | undefined {
  const ownAgent = (!stock && config().get<string>('agentPath')) || undefined;
  if (!ownAgent && !simulatorAvailable(extensionUri)) {
    throw new UserError(vscode.l10n.t('no simulated board in this installation: it ships in the linux-x64 package only'));
  }
  return ownAgent;
}

/** Starts a simulated board; where the package has none, a one-line UserError says so (a k230live.agentPath still starts the agent one). */
export async function launchSimulatedBoard(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stock: boolean): Promise<SimulatedBoard> {
  const ownAgent = checkSimulator(extensionUri, stock);
  const agentPath = ownAgent || vscode.Uri.joinPath(extensionUri, 'device-agent', 'build', 'k230-agent').fsPath;
  const swept = sweepLeftovers(os.tmpdir());
  if (swept.length) log.info(`removed what simulated boards of windows gone left: ${swept.join(', ')}`);
  // The agent's board gets an empty card of its own for its run, as the stock board makes itself.
  const sdcard = stock ? undefined : simulatorPath(os.tmpdir(), 'card');
  const removeCard = () => sdcard && fs.rmSync(sdcard, { recursive: true, force: true });
  if (sdcard) {
    removeCard();
    fs.mkdirSync(sdcard);
  }
  const board = await startSimulatedBoard(stock ? { stock, ptyLink: SIMULATED_PORT, build: false } : { agentPath, ptyLink: SIMULATED_PORT, sdcard, build: false }).catch((e) => {
    removeCard();
    throw e;
  });
  board.process.once('exit', removeCard);
  readline.createInterface({ input: board.process.stderr! }).on('line', (line) => {
    const { fault, text } = boardLogLine(line);
    if (fault) log.warn(`simulated board: ${text}`);
    else if (text) log.info(`simulated board: ${text}`); // "the host hung up" after a Disconnect is no warning
  });
  board.process.once('exit', (code, signal) => log.info(`simulated board exited (${signal ?? code})`));
  log.info(`simulated board (pid ${board.process.pid}) on ${SIMULATED_PORT}`);
  return board;
}
