// K230: Start Simulated Board: the agent with its simulator backend, or a stock CanMV board (its
// MicroPython firmware simulated), both shipped inside the extension.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SimulatedBoard, startSimulatedBoard } from '../host/simulated-board';
import { config } from './settings';

/** Its port path stays the same across restarts, so a reconnect finds it. */
export const SIMULATED_PORT = path.join(os.tmpdir(), 'k230live-sim-port');

export async function launchSimulatedBoard(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stock: boolean): Promise<SimulatedBoard> {
  const agentPath = config().get<string>('agentPath') || vscode.Uri.joinPath(extensionUri, 'device-agent', 'build', 'k230-agent').fsPath;
  const board = await startSimulatedBoard(stock ? { stock, ptyLink: SIMULATED_PORT, build: false } : { agentPath, ptyLink: SIMULATED_PORT, build: false });
  board.process.stderr?.on('data', (d: Buffer) => log.warn(`agent: ${d.toString().trim()}`));
  board.process.once('exit', (code, signal) => log.info(`simulated board exited (${signal ?? code})`));
  log.info(`simulated board (pid ${board.process.pid}) on ${SIMULATED_PORT}`);
  return board;
}
