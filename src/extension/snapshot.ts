// Snapshot: the frame on screen as a PNG in the workspace's recordings folder.
import * as vscode from 'vscode';
import { recordingsFolder } from './settings';

export async function saveSnapshot(png: Uint8Array, fileName: string, log: vscode.LogOutputChannel): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('open a folder first: snapshots are saved into the workspace');
  const dir = vscode.Uri.joinPath(folder.uri, recordingsFolder());
  await vscode.workspace.fs.createDirectory(dir);
  const uri = vscode.Uri.joinPath(dir, fileName);
  await vscode.workspace.fs.writeFile(uri, png);
  log.info(`snapshot saved: ${uri.fsPath}`);
  const open = await vscode.window.showInformationMessage(`K230: snapshot saved to ${vscode.workspace.asRelativePath(uri)}.`, 'Open');
  if (open) await vscode.commands.executeCommand('vscode.open', uri);
}
