// Runs inside VS Code's extension host (bundled to suite.js by esbuild.mjs --electron-suite):
// connect to a simulated board by command, record 3 s into the workspace, check the file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { decodeErrors, probeVideo } from '../support/media';
import { sleep } from '../support/poll';

export async function run(): Promise<void> {
  const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'k230-electron-')), 'board');
  const board = await startSimulatedBoard({ ptyLink: link, build: false });
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k230-ws-'));
  try {
    await vscode.commands.executeCommand('k230live.connect', link);
    await vscode.commands.executeCommand('k230live.startRecording');
    await sleep(3000);
    await vscode.commands.executeCommand('k230live.stopRecording');
    const dir = path.join(workspace, 'recordings');
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.mp4'));
    assert.ok(file, 'a recording in the workspace');
    const v = probeVideo(path.join(dir, file));
    assert.ok(v.frames >= 80, `about 90 frames (got ${v.frames})`);
    assert.equal(decodeErrors(path.join(dir, file)), '');
  } finally {
    await vscode.commands.executeCommand('k230live.disconnect');
    await board.stop();
  }
}
