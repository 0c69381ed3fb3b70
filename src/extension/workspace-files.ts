// Files bound for the workspace, wherever the workspace is. The extension runs where the USB cable
// is (extensionKind ui first), so under Remote-SSH, WSL or a dev container the workspace is on
// another machine, and Node's fs does not reach it. There, a file is made in a local staging folder
// and lands in the workspace through vscode.workspace.fs when it is whole. In a local folder it is
// written in place, so that a recording is playable at every instant, even after a crash.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Where to write a workspace file with Node's fs, and how it then reaches the workspace. */
export interface LocalTarget {
  path: string;
  /** the file is whole: into the workspace with it (nothing to do for a local folder) */
  land(): Promise<void>;
}

export class WorkspaceFiles {
  constructor(private readonly staging: vscode.Uri) {}

  target(uri: vscode.Uri): LocalTarget {
    if (uri.scheme === 'file') return { path: uri.fsPath, land: async () => undefined };
    const local = this.stagingPath(uri);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    return {
      path: local,
      land: async () => {
        await vscode.workspace.fs.copy(vscode.Uri.file(local), uri, { overwrite: true });
        fs.rmSync(local, { force: true });
      },
    };
  }

  /** A local path holding the workspace file's bytes, for a reader that needs a path. */
  async localCopy(uri: vscode.Uri): Promise<string> {
    if (uri.scheme === 'file') return uri.fsPath;
    const local = this.stagingPath(uri);
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, await vscode.workspace.fs.readFile(uri));
    return local;
  }

  /** The names a workspace folder holds (none when it does not exist yet). */
  async names(folder: vscode.Uri): Promise<Set<string>> {
    const entries = await Promise.resolve(vscode.workspace.fs.readDirectory(folder)).catch(() => [] as [string, vscode.FileType][]);
    return new Set(entries.map(([name]) => name));
  }

  /** The same workspace file stages at the same local path, so that an unfinished pull resumes. */
  private stagingPath(uri: vscode.Uri): string {
    const key = createHash('sha256').update(uri.with({ path: path.posix.dirname(uri.path) }).toString()).digest('hex').slice(0, 16);
    return path.join(this.staging.fsPath, key, path.posix.basename(uri.path));
  }
}
