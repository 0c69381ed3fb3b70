// Board storage in the editor: the Board Files view and its commands (pull, upload, new folder,
// rename, delete, Set as main.py), and recording on the board.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { convertRawToMp4 } from '../host/media-tools/convert-to-mp4';
import { BoardConnection } from './board-connection';
import { BoardFileItem, BoardFilesProvider, folderOf, nameProblem, pullToWorkspace } from './board-files';
import { BoardFilesDrop, setAsMainPy, uploadToBoard } from './board-upload';
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
  const view = vscode.window.createTreeView('k230live.boardFiles', { treeDataProvider: files, showCollapseAll: true, dragAndDropController: new BoardFilesDrop() });
  // A message, not a welcome: an empty card stays a tree, which takes files dropped on it.
  files.onEmptyCard((empty) => (view.message = empty ? vscode.l10n.t('The card is empty. Upload files to it (or drop them here), or record on the board.') : undefined));

  /** A name for something new in `folder`, checked against what the folder holds as it is typed. */
  const askName = async (folder: string, options: { title: string; value?: string; keep?: string }) => {
    const taken = await files.names(folder);
    if (options.keep) taken.delete(options.keep);
    const stem = options.value?.lastIndexOf('.') ?? -1;
    return vscode.window.showInputBox({
      title: options.title,
      value: options.value,
      valueSelection: options.value ? [0, stem > 0 ? stem : options.value.length] : undefined,
      validateInput: (name) => nameProblem(name, taken),
    });
  };

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
    command('k230live.boardFiles.upload', async (item?: BoardFileItem, given?: unknown) => {
      // Files given as an argument (a drop, scripts, tests) skip the open dialog.
      const uris = Array.isArray(given)
        ? given.flatMap((u) => (u instanceof vscode.Uri ? [u] : typeof u === 'string' ? [u.includes('://') ? vscode.Uri.parse(u) : vscode.Uri.file(u)] : []))
        : undefined;
      const folder = folderOf(uris ? item : (item ?? view.selection[0])); // a drop on the empty area is /sdcard, whatever is selected
      const picked = uris?.length ? uris : await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: vscode.l10n.t('Upload to {0}', folder), title: vscode.l10n.t('Upload to {0}', folder) });
      if (!picked?.length) return;
      try {
        const sent = await uploadToBoard(connection, picked, folder, workspaceFiles, log);
        if (sent.length === 1) void vscode.window.showInformationMessage(vscode.l10n.t('K230: uploaded {0} (verified).', sent[0]));
        else if (sent.length) void vscode.window.showInformationMessage(vscode.l10n.t('K230: uploaded {0} files to {1} (verified).', sent.length, folder));
      } finally {
        files.refresh(); // what went up before a failure or a cancel is listed too
      }
    }),
    command('k230live.boardFiles.newFolder', async (item?: BoardFileItem) => {
      const parent = folderOf(item ?? view.selection[0]);
      const name = await askName(parent, { title: vscode.l10n.t('New folder in {0}', parent) });
      if (name === undefined) return;
      await connection.board.makeFolder(`${parent}/${name}`);
      log.info(`made the folder ${parent}/${name} on the board`);
      files.refresh();
    }),
    command('k230live.boardFiles.rename', async (item?: BoardFileItem) => {
      const target = item ?? view.selection[0];
      if (!target) return;
      const folder = path.posix.dirname(target.boardPath);
      const name = await askName(folder, { title: vscode.l10n.t('Rename {0}', target.boardPath), value: target.name, keep: target.name });
      if (name === undefined || name === target.name) return;
      await connection.board.renameFile(target.boardPath, `${folder}/${name}`, false);
      log.info(`renamed ${target.boardPath} to ${folder}/${name} on the board`);
      files.refresh();
    }),
    command('k230live.setAsMainPy', async (source?: BoardFileItem | vscode.Uri) => {
      const editor = vscode.window.activeTextEditor?.document;
      const script = source ?? (editor?.languageId === 'python' ? editor.uri : view.selection.find((i) => i.contextValue === 'file.py'));
      if (!script) throw new Error(vscode.l10n.t('pick a .py file to run when the board starts'));
      if (await setAsMainPy(connection, script, log)) files.refresh();
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
