// Files to the board: Upload… and drops from the Explorer into Board Files, and Set as main.py.
// Every file goes up through pushFile (NAME.k230part, resumable, verified by SHA-256, renamed once
// verified); the agent confines every path to /sdcard, and its refusals are shown as they come.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pullFile } from '../host/files/pull-file';
import { pushFile } from '../host/files/push-file';
import { BoardError, BoardSession } from '../host/session/board-session';
import { ErrorCode, FileType } from '../protocol/messages';
import { formatBytes } from '../shared/format';
import { BoardConnection } from './board-connection';
import { BOARD_ROOT, BoardFileItem } from './board-files';
import type { WorkspaceFiles } from './workspace-files';

/** The script a stock CanMV board runs each time it starts. */
export const MAIN_PY = `${BOARD_ROOT}/main.py`;

interface Upload {
  uri: vscode.Uri;
  remote: string;
  bytes: number;
}

/** What an upload makes on the board: folders first (parents before children), then files. */
interface UploadPlan {
  folders: string[];
  files: Upload[];
}

/** The given files and folders under `folder`: a folder goes up with everything in it, its tree kept. */
async function planUpload(uris: readonly vscode.Uri[], folder: string): Promise<UploadPlan> {
  const plan: UploadPlan = { folders: [], files: [] };
  const add = async (uri: vscode.Uri, remote: string, inside: boolean): Promise<void> => {
    const { type, size } = await vscode.workspace.fs.stat(uri);
    if (type & vscode.FileType.Directory) {
      if (inside && type & vscode.FileType.SymbolicLink) return; // a linked folder inside one could lead round in a circle
      plan.folders.push(remote);
      for (const [name] of await vscode.workspace.fs.readDirectory(uri)) await add(vscode.Uri.joinPath(uri, name), path.posix.join(remote, name), true);
    } else if (type & vscode.FileType.File) {
      plan.files.push({ uri, remote, bytes: size });
    }
  };
  for (const uri of uris) await add(uri, path.posix.join(folder, path.posix.basename(uri.path)), false);
  return plan;
}

/** What the board holds under each folder the plan writes into: name -> type (nothing for a folder not there). */
async function boardEntries(session: BoardSession, plan: UploadPlan): Promise<Map<string, Map<string, FileType>>> {
  const folders = new Set([...plan.folders, ...plan.files.map((f) => f.remote)].map((p) => path.posix.dirname(p)));
  const held = new Map<string, Map<string, FileType>>();
  for (const folder of folders) {
    const entries = await session.list(folder).then(
      (r) => r.entries,
      (e) => (e instanceof BoardError && e.code === ErrorCode.NotFound ? [] : Promise.reject(e)),
    );
    held.set(folder, new Map(entries.map((e) => [e.name, e.fileType])));
  }
  return held;
}

/** Asks about each file that would replace one on the board: the files to skip, or undefined to upload nothing. */
async function askAboutExisting(existing: Upload[]): Promise<Set<Upload> | undefined> {
  const skip = new Set<Upload>();
  const replace = vscode.l10n.t('Replace');
  const keep = vscode.l10n.t('Skip');
  const replaceAll = vscode.l10n.t('Replace All');
  const keepAll = vscode.l10n.t('Skip All');
  for (const [i, file] of existing.entries()) {
    const more = existing.length - i - 1;
    const detail = more > 0 ? vscode.l10n.t('{0} more files of this upload are on the board already.', more) : undefined;
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} is on the board already. Replace it?', file.remote),
      { modal: true, detail },
      ...(more > 0 ? [replace, keep, replaceAll, keepAll] : [replace, keep]),
    );
    if (choice === undefined) return undefined;
    if (choice === replaceAll) break;
    if (choice === keepAll) {
      existing.slice(i).forEach((f) => skip.add(f));
      break;
    }
    if (choice === keep) skip.add(file);
  }
  return skip;
}

/**
 * Uploads local files and folders into a board folder, with one cancellable progress notification.
 * A name the board has already is replaced only when the person says so. Returns the board paths written.
 */
export async function uploadToBoard(
  connection: BoardConnection,
  uris: readonly vscode.Uri[],
  folder: string,
  files: WorkspaceFiles,
  log: vscode.LogOutputChannel,
): Promise<string[]> {
  const session = connection.board;
  const plan = await planUpload(uris, folder);
  const held = await boardEntries(session, plan);
  const onBoard = (remote: string) => held.get(path.posix.dirname(remote))?.get(path.posix.basename(remote));
  for (const f of plan.files) if (onBoard(f.remote) === FileType.Directory) throw new Error(vscode.l10n.t('{0} is a folder on the board: a file cannot replace it', f.remote));
  for (const d of plan.folders) if (onBoard(d) === FileType.File) throw new Error(vscode.l10n.t('{0} is a file on the board: a folder cannot replace it', d));
  const skip = await askAboutExisting(plan.files.filter((f) => onBoard(f.remote) !== undefined));
  if (!skip) return [];
  const todo = plan.files.filter((f) => !skip.has(f));
  const total = todo.reduce((n, f) => n + f.bytes, 0);
  const title = uris.length === 1 ? vscode.l10n.t('Uploading {0} to {1}', path.posix.basename(uris[0].path), folder) : vscode.l10n.t('Uploading to {0}', folder);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    for (const d of plan.folders) if (onBoard(d) === undefined) await session.makeFolder(d);
    let before = 0;
    let reported = 0;
    for (const [i, f] of todo.entries()) {
      if (abort.signal.aborted) throw new Error(vscode.l10n.t('upload cancelled: {0} of {1} files are on the board', i, todo.length));
      const local = await files.localCopy(f.uri);
      const name = path.posix.basename(f.remote);
      const result = await pushFile(session, local, f.remote, {
        signal: abort.signal,
        onProgress: (p) => {
          const pct = (100 * (before + p.bytes)) / Math.max(total, 1);
          const message = vscode.l10n.t('{0}: {1} of {2} at {3}/s', name, formatBytes(p.bytes), formatBytes(p.total), formatBytes(p.rateBps));
          progress.report({ increment: pct - reported, message });
          reported = pct;
        },
      });
      before += f.bytes;
      log.info(`pushed ${f.uri.toString(true)} -> ${f.remote} (${result.bytes} bytes, ${result.seconds.toFixed(1)} s, sha256 ${result.sha256}${result.resumedFrom ? `, resumed at ${result.resumedFrom}` : ''})`);
    }
  });
  return todo.map((f) => f.remote);
}

/** Drops from the Explorer (or an editor's tab) onto Board Files: onto a folder, a file's folder, or the empty area (/sdcard). */
export class BoardFilesDrop implements vscode.TreeDragAndDropController<BoardFileItem> {
  readonly dropMimeTypes = ['text/uri-list'];
  readonly dragMimeTypes = [];

  async handleDrop(target: BoardFileItem | undefined, data: vscode.DataTransfer): Promise<void> {
    const list = await data.get('text/uri-list')?.asString();
    const uris = (list ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => vscode.Uri.parse(line));
    // through the command, so that its errors are shown as every command's are
    if (uris.length) await vscode.commands.executeCommand('k230live.boardFiles.upload', target, uris);
  }
}

/** The bytes of a local script: the editor's text when it is open (saved or not, as Run takes it), else the file's. */
async function scriptBytes(uri: vscode.Uri): Promise<Uint8Array> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return open ? new TextEncoder().encode(open.getText()) : vscode.workspace.fs.readFile(uri);
}

/**
 * Copies a script, local or on the board, to /sdcard/main.py, which the board runs when it starts;
 * asks before replacing one. A board file is pulled and pushed back: the protocol needs no copy request.
 */
export async function setAsMainPy(connection: BoardConnection, source: BoardFileItem | vscode.Uri, log: vscode.LogOutputChannel): Promise<boolean> {
  const session = connection.board;
  const from = source instanceof BoardFileItem ? source.boardPath : source;
  const name = source instanceof BoardFileItem ? source.name : path.posix.basename(source.path);
  if (from === MAIN_PY) {
    void vscode.window.showInformationMessage(vscode.l10n.t('K230: this is {0}: it runs when the board starts.', MAIN_PY));
    return false;
  }
  if (typeof from === 'string') await session.stat(from); // a file the agent will not read is refused before any question
  const exists = await session.stat(MAIN_PY).then(
    () => true,
    (e) => (e instanceof BoardError && e.code === ErrorCode.NotFound ? false : Promise.reject(e)),
  );
  if (exists) {
    const replace = vscode.l10n.t('Replace');
    const detail = vscode.l10n.t('The board runs main.py each time it starts.');
    const sure = await vscode.window.showWarningMessage(vscode.l10n.t('Replace {0} on the board with {1}?', MAIN_PY, name), { modal: true, detail }, replace);
    if (sure !== replace) return false;
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-main-'));
  try {
    const local = path.join(temp, 'main.py');
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Copying {0} to {1}', name, MAIN_PY) }, async () => {
      if (typeof from === 'string') await pullFile(session, from, local);
      else fs.writeFileSync(local, await scriptBytes(from));
      const result = await pushFile(session, local, MAIN_PY);
      log.info(`set ${typeof from === 'string' ? from : from.toString(true)} as ${MAIN_PY} (${result.bytes} bytes, sha256 ${result.sha256})`);
    });
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  void vscode.window.showInformationMessage(vscode.l10n.t('K230: {0} is now {1}: it runs when the board starts.', name, MAIN_PY));
  return true;
}
