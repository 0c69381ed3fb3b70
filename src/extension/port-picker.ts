// K230: Connect's quick pick: CanMV K230 boards first, then the remembered port (k230live.port),
// other ports, a simulated board, or a path typed by hand.
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

/** `remembered`: k230live.port, which Connect saves but a person (or the demo) may set too: so it
 * is called remembered, not "last used". `connected`: the port this window is connected to. */
export async function pickPort(remembered: string | undefined, connected: string | false | undefined): Promise<PortChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice?: PortChoice; typeIn?: boolean };
  const ports = await listPorts().catch(() => []);
  const said = (path: string) => [path === connected ? vscode.l10n.t('connected') : undefined, path === remembered ? vscode.l10n.t('remembered') : undefined];
  const items: Item[] = ports.map((p) => ({
    label: `${p.isK230 ? '$(device-camera) ' : ''}${p.path}`,
    description: [p.isK230 ? 'CanMV K230' : undefined, p.description, ...said(p.path)].filter(Boolean).join(' · '),
    choice: { kind: 'port', path: p.path },
  }));
  if (remembered && !ports.some((p) => p.path === remembered)) {
    items.unshift({ label: `$(history) ${remembered}`, description: said(remembered).filter(Boolean).join(' · '), choice: { kind: 'port', path: remembered } });
  }
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...simulatorChoices(),
    { label: `$(edit) ${vscode.l10n.t('Enter a port path…')}`, typeIn: true },
  );
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('K230: Connect'), placeHolder: vscode.l10n.t('Serial port of the board') });
  if (!picked) return undefined;
  if (picked.typeIn) {
    const path = await vscode.window.showInputBox({ title: vscode.l10n.t('K230: Connect'), prompt: vscode.l10n.t('Serial port path'), value: remembered ?? '/dev/ttyACM0' });
    return path ? { kind: 'port', path } : undefined;
  }
  return picked.choice;
}
