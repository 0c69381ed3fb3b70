// Board storage in the editor: the Board Files view and its commands, and recording on the board.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convertRawToMp4 } from '../host/media/convert';
import { BoardConnection } from './board-connection';
import { BoardFileItem, BoardFilesProvider, pullToWorkspace } from './board-files';
import { streamSettings } from './settings';
import type { WorkspaceFiles } from './workspace-files';

const RAW_STREAM = /\.(264|h264|265|h265|hevc)$/i;

export function registerBoardStorage(
  connection: BoardConnection,
  workspaceFiles: WorkspaceFiles,
  log: vscode.LogOutputChannel,
  command: <A extends unknown[]>(id: string, run: (...args: A) => Promise<unknown>) => vscode.Disposable,
): vscode.Disposable[] {
  const files = new BoardFilesProvider(connection);
  const view = vscode.window.createTreeView('k230live.boardFiles', { treeDataProvider: files, showCollapseAll: true });

  const offerConversion = async (raw: vscode.Uri) => {
    const choice = await vscode.window.showInformationMessage(`${path.basename(raw.fsPath)} is a raw stream. Convert it to MP4 (lossless)?`, 'Convert to MP4');
    if (!choice) return;
    const out = raw.with({ path: raw.path.replace(RAW_STREAM, '.mp4') });
    const target = workspaceFiles.target(out);
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Converting ${path.basename(raw.fsPath)}` }, async () =>
      convertRawToMp4(await workspaceFiles.localCopy(raw), target.path, { faststart: true }),
    );
    await target.land();
    log.info(`converted ${raw.toString(true)} -> ${out.toString(true)}: ${summary.frames} frames, ${summary.fps} fps, ${summary.codec}`);
    void vscode.window.showInformationMessage(`K230: ${vscode.workspace.asRelativePath(out)}: ${summary.frames} frames, ${summary.durationS.toFixed(1)} s.`);
    await vscode.commands.executeCommand('revealInExplorer', out);
  };

  return [
    files,
    view,
    command('k230live.boardFiles.refresh', async () => files.refresh()),
    command('k230live.boardFiles.pull', async (item?: BoardFileItem) => {
      const target = item ?? view.selection[0];
      if (!target || target.isFolder) return;
      const uri = await pullToWorkspace(connection, target, workspaceFiles, log);
      if (!uri) return;
      await vscode.commands.executeCommand('revealInExplorer', uri);
      if (RAW_STREAM.test(uri.fsPath)) await offerConversion(uri);
      else void vscode.window.showInformationMessage(`K230: pulled ${vscode.workspace.asRelativePath(uri)} (verified).`);
    }),
    command('k230live.boardFiles.delete', async (item?: BoardFileItem) => {
      const target = item ?? view.selection[0];
      if (!target || target.isFolder) return;
      const sure = await vscode.window.showWarningMessage(`Delete ${target.boardPath} from the board? This cannot be undone.`, { modal: true }, 'Delete');
      if (sure !== 'Delete') return;
      await connection.board.deleteFile(target.boardPath);
      log.info(`deleted ${target.boardPath} on the board`);
      files.refresh();
    }),
    command('k230live.convertRawStream', async (uri?: vscode.Uri) => {
      const raw = uri ?? (await vscode.window.showOpenDialog({ filters: { 'Raw H.264/H.265': ['264', 'h264', '265', 'h265', 'hevc'] } }))?.[0];
      if (raw) await offerConversion(raw);
    }),
    command('k230live.recordOnBoard', async () => {
      const state = await connection.board.startBoardRecording('', streamSettings());
      connection.setBoardRecording(state);
      void vscode.window.showInformationMessage(`K230: recording on the board into ${state.path}.`);
    }),
    command('k230live.stopBoardRecording', async () => {
      const state = await connection.board.stopBoardRecording();
      connection.setBoardRecording(state);
      files.refresh();
      void vscode.window.showInformationMessage(`K230: the board saved ${state.path} (${state.frames} frames, ${state.elapsedS.toFixed(1)} s).`);
    }),
  ];
}
