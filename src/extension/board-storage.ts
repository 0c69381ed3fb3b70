// Board storage in the editor: the Board Files view and its commands, and recording on the board.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convertRawToMp4 } from '../host/media-tools/convert-to-mp4';
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
    const convert = vscode.l10n.t('Convert to MP4');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('{0} is a raw stream. Convert it to MP4 (lossless)?', path.basename(raw.fsPath)), convert);
    if (!choice) return;
    const out = raw.with({ path: raw.path.replace(RAW_STREAM, '.mp4') });
    const target = workspaceFiles.target(out);
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Converting {0}', path.basename(raw.fsPath)) }, async () =>
      convertRawToMp4(await workspaceFiles.localCopy(raw), target.path, { faststart: true }),
    );
    await target.land();
    log.info(`converted ${raw.toString(true)} -> ${out.toString(true)}: ${summary.frames} frames, ${summary.fps} fps, ${summary.codec}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('K230: {0}: {1} frames, {2} s.', vscode.workspace.asRelativePath(out), summary.frames, summary.durationS.toFixed(1)));
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
      else void vscode.window.showInformationMessage(vscode.l10n.t('K230: pulled {0} (verified).', vscode.workspace.asRelativePath(uri)));
    }),
    command('k230live.boardFiles.delete', async (item?: BoardFileItem) => {
      const target = item ?? view.selection[0];
      if (!target || target.isFolder) return;
      const remove = vscode.l10n.t('Delete');
      const sure = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0} from the board? This cannot be undone.', target.boardPath), { modal: true }, remove);
      if (sure !== remove) return;
      await connection.board.deleteFile(target.boardPath);
      log.info(`deleted ${target.boardPath} on the board`);
      files.refresh();
    }),
    command('k230live.convertRawStream', async (uri?: vscode.Uri) => {
      const raw = uri ?? (await vscode.window.showOpenDialog({ filters: { [vscode.l10n.t('Raw H.264/H.265')]: ['264', 'h264', '265', 'h265', 'hevc'] } }))?.[0];
      if (raw) await offerConversion(raw);
    }),
    command('k230live.recordOnBoard', async () => {
      const state = await connection.board.startBoardRecording('', streamSettings());
      connection.setBoardRecording(state);
      void vscode.window.showInformationMessage(vscode.l10n.t('K230: recording on the board into {0}.', state.path));
    }),
    command('k230live.stopBoardRecording', async () => {
      const state = await connection.board.stopBoardRecording();
      connection.setBoardRecording(state);
      files.refresh();
      void vscode.window.showInformationMessage(vscode.l10n.t('K230: the board saved {0} ({1} frames, {2} s).', state.path, state.frames, state.elapsedS.toFixed(1)));
    }),
  ];
}
