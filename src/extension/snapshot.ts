// Snapshot: the frame on screen as a PNG in the workspace's recordings folder.
import * as vscode from 'vscode';
import { recordingsFolder } from './settings';

/** Saves the PNG; returns its path relative to the workspace. */
export async function saveSnapshot(png: Uint8Array, fileName: string, log: vscode.LogOutputChannel): Promise<string> {
  const dir = recordingsFolder(vscode.l10n.t('snapshots are saved into the workspace'));
  await vscode.workspace.fs.createDirectory(dir);
  const uri = vscode.Uri.joinPath(dir, fileName);
  await vscode.workspace.fs.writeFile(uri, png);
  log.info(`snapshot saved: ${uri.fsPath}`);
  const savedAs = vscode.workspace.asRelativePath(uri);
  const open = vscode.l10n.t('Open');
  void vscode.window.showInformationMessage(vscode.l10n.t('K230: snapshot saved to {0}.', savedAs), open).then((picked) => {
    if (picked === open) void vscode.commands.executeCommand('vscode.open', uri);
  });
  return savedAs;
}
