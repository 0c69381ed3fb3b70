// K230: Connect's quick pick: CanMV K230 boards first, then the last port used, other ports,
// a simulated board, or a path typed by hand.
import * as vscode from 'vscode';
import { listPorts } from '../host/link/serial-port';

/** stock: a stock CanMV board (MicroPython firmware, the agent uploaded on Connect); else the C agent's */
export type PortChoice = { kind: 'port'; path: string } | { kind: 'simulator'; stock: boolean };

/** The two simulated boards, as the quick picks offer them. */
export function simulatorChoices() {
  return [
    {
      label: `$(beaker) ${vscode.l10n.t('Start Simulated Board')}`,
      description: vscode.l10n.t('the C agent with a synthetic camera, on a PTY'),
      choice: { kind: 'simulator', stock: false },
    },
    {
      label: `$(beaker) ${vscode.l10n.t('Start Simulated Stock CanMV Board')}`,
      description: vscode.l10n.t('CanMV firmware v1.7 in MicroPython; the agent is uploaded on Connect'),
      choice: { kind: 'simulator', stock: true },
    },
  ] as const;
}

export async function pickPort(lastUsed: string | undefined): Promise<PortChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice?: PortChoice; typeIn?: boolean };
  const ports = await listPorts().catch(() => []);
  const items: Item[] = ports.map((p) => ({
    label: `${p.isK230 ? '$(device-camera) ' : ''}${p.path}`,
    description: [p.isK230 ? 'CanMV K230' : undefined, p.description].filter(Boolean).join(' · '),
    choice: { kind: 'port', path: p.path },
  }));
  if (lastUsed && !ports.some((p) => p.path === lastUsed)) {
    items.unshift({ label: `$(history) ${lastUsed}`, description: vscode.l10n.t('last used'), choice: { kind: 'port', path: lastUsed } });
  }
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...simulatorChoices(),
    { label: `$(edit) ${vscode.l10n.t('Enter a port path…')}`, typeIn: true },
  );
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('K230: Connect'), placeHolder: vscode.l10n.t('Serial port of the board') });
  if (!picked) return undefined;
  if (picked.typeIn) {
    const path = await vscode.window.showInputBox({ title: vscode.l10n.t('K230: Connect'), prompt: vscode.l10n.t('Serial port path'), value: lastUsed ?? '/dev/ttyACM0' });
    return path ? { kind: 'port', path } : undefined;
  }
  return picked.choice;
}
