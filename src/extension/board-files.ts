// The Board Files view: the board's storage as a tree of lazily listed folders, with Pull to
// Workspace, Delete and Refresh; names for New Folder and Rename.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { freeName, pathInside, safeLocalName } from '../host/files/local-names';
import { partialPaths, pullFile } from '../host/files/pull-file';
import { formatBytes } from '../shared/format';
import { BoardError } from '../host/session/board-session';
import { ErrorCode, FileType } from '../protocol/messages';
import { BoardConnection } from './board-connection';
import { recordingsFolder } from './settings';
import type { WorkspaceFiles } from './workspace-files';

export class BoardFileItem extends vscode.TreeItem {
  constructor(readonly boardPath: string, readonly name: string, readonly isFolder: boolean, size: number, mtimeMs: number) {
    super(name, isFolder ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const when = new Date(mtimeMs).toLocaleString();
    this.description = isFolder ? when : `${formatBytes(size)} · ${when}`;
    this.tooltip = [boardPath, isFolder ? vscode.l10n.t('folder') : vscode.l10n.t('{0} bytes', size), vscode.l10n.t('modified {0}', when)].join('\n');
    // menus tell a script (Set as main.py) from other files: `viewItem =~ /^file/`, `viewItem == file.py`
    this.contextValue = isFolder ? 'folder' : /\.py$/i.test(name) ? 'file.py' : 'file';
    this.iconPath = isFolder ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
    this.resourceUri = vscode.Uri.parse(`k230-board:${boardPath}`); // file icons by extension
    this.id = boardPath;
  }
}

export const BOARD_ROOT = '/sdcard';

/** The board folder an action on `item` works in: the folder itself, a file's folder, or /sdcard. */
export function folderOf(item: BoardFileItem | undefined): string {
  if (!item) return BOARD_ROOT;
  return item.isFolder ? item.boardPath : path.posix.dirname(item.boardPath);
}

/** Why `name` cannot be a new name in a folder holding `taken`; undefined when it can. */
export function nameProblem(name: string, taken: ReadonlySet<string>): string | undefined {
  if (!name.trim()) return vscode.l10n.t('a name is needed');
  if (name.includes('/')) return vscode.l10n.t('a name cannot hold /');
  if (name === '.' || name === '..') return vscode.l10n.t('{0} is not a name a file or folder can have', name);
  if (taken.has(name)) return vscode.l10n.t('{0} already exists here', name);
  return undefined;
}

export class BoardFilesProvider implements vscode.TreeDataProvider<BoardFileItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BoardFileItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly emptyCard = new vscode.EventEmitter<boolean>();
  /** whether the card's root, as last listed, holds nothing (the view then says so above an empty tree that still takes drops) */
  readonly onEmptyCard = this.emptyCard.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connection: BoardConnection) {
    this.subscriptions = [
      connection.onDidChangeState(() => this.refresh()),
      connection.onBoardRecording((s) => !s.active && this.refresh()),
    ];
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: BoardFileItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: BoardFileItem): Promise<BoardFileItem[]> {
    if (this.connection.state === 'disconnected' || this.connection.state === 'connecting' || !this.connection.info?.storage) {
      this.emptyCard.fire(false); // the view's welcome says why there is nothing
      return [];
    }
    const folder = parent?.boardPath ?? BOARD_ROOT;
    const { entries } = await this.connection.board.list(folder);
    if (!parent) this.emptyCard.fire(entries.length === 0);
    return entries
      .map((e) => new BoardFileItem(`${folder}/${e.name}`, e.name, e.fileType === FileType.Directory, Number(e.size), Number(e.mtimeMs)))
      .sort((a, b) => Number(b.isFolder) - Number(a.isFolder) || a.name.localeCompare(b.name));
  }

  /** The names a board folder holds (none when it is not there). */
  async names(folder: string): Promise<Set<string>> {
    const { entries } = await this.connection.board.list(folder).catch((e) => (e instanceof BoardError && e.code === ErrorCode.NotFound ? { entries: [] } : Promise.reject(e)));
    return new Set(entries.map((e) => e.name));
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.changed.dispose();
    this.emptyCard.dispose();
  }
}

/** Pulls a board file into the workspace's recordings folder, with a cancellable progress notification. */
export async function pullToWorkspace(
  connection: BoardConnection,
  item: BoardFileItem,
  files: WorkspaceFiles,
  log: vscode.LogOutputChannel,
): Promise<vscode.Uri | undefined> {
  const dir = recordingsFolder(vscode.l10n.t('files are pulled into the workspace'));
  await vscode.workspace.fs.createDirectory(dir);
  // A name from the board is sanitised and kept inside the folder; an unfinished pull of it is resumed.
  const wanted = safeLocalName(item.boardPath);
  const taken = await files.names(dir);
  const resumable = fs.existsSync(partialPaths(files.target(vscode.Uri.joinPath(dir, wanted)).path).data);
  const name = resumable ? wanted : freeName((n) => taken.has(n), wanted);
  const uri = vscode.Uri.joinPath(dir, path.basename(pathInside(dir.fsPath, name)));
  const local = files.target(uri);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pulling {0}', item.name), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      const result = await pullFile(connection.board, item.boardPath, local.path, {
        signal: abort.signal,
        onProgress: (p) => {
          const pct = (100 * p.bytes) / Math.max(p.total, 1);
          const done = [formatBytes(p.bytes), formatBytes(p.total), formatBytes(p.rateBps)] as const;
          const message =
            p.etaS === undefined ? vscode.l10n.t('{0} of {1} at {2}/s', ...done) : vscode.l10n.t('{0} of {1} at {2}/s, {3} s left', ...done, Math.ceil(p.etaS));
          progress.report({ increment: pct - reported, message });
          reported = pct;
        },
      });
      await local.land();
      log.info(`pulled ${item.boardPath} -> ${uri.toString(true)} (${result.bytes} bytes, ${result.seconds.toFixed(1)} s, sha256 ${result.sha256}${result.resumedFrom ? `, resumed at ${result.resumedFrom}` : ''})`);
      return uri;
    },
  );
}
