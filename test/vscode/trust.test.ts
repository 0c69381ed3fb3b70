// Workspace Trust in a real VS Code (code-server, trust on): a folder nobody trusted opens in
// Restricted Mode, and K230 Live runs there in limited mode. The folder's settings name a program
// as k230live.agentPath; K230: Start Simulated Board runs the agent shipped in the package, never
// that program, and the preview and Record work as in a trusted folder.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { decodeErrors, probeVideo } from '../support/media';
import { CodeServer, pickFrom, runCommand, startCodeServer } from '../../scripts/code-server';
import { boardItem, decodedInPreview, previewFrame, screenshot, waitFor } from './workbench';
import { TEST_VSIX } from '../../scripts/package-files';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-trust-'));
const marker = path.join(dir, 'the-workspace-program-ran');
let vscode: CodeServer;
let page: Page;

before(async () => {
  vscode = await startCodeServer(TEST_VSIX, { 'k230live.autoConnect': false }, { trusted: false });
  page = vscode.page;
  // What a cloned repository could carry: a program for the extension to run.
  const program = path.join(dir, 'not-an-agent.sh');
  fs.writeFileSync(program, `#!/bin/sh\ntouch '${marker}'\necho PTY /dev/null\nsleep 600\n`, { mode: 0o755 });
  fs.mkdirSync(path.join(vscode.workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(vscode.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'k230live.agentPath': program }));
});

after(async () => {
  await runCommand(page, 'K230: Disconnect').catch(() => undefined);
  await vscode?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an untrusted folder: limited mode runs no program from its settings, and the preview and Record work', async () => {
  await page.getByText('Restricted Mode').first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(3000); // the extension host starts, the folder's settings are read

  await pickFrom(page, 'K230: Start Simulated Board', 'Start Simulated Board');
  await boardItem(page).filter({ hasText: /Simulated K230: connected/ }).waitFor({ timeout: 20_000 });
  assert.equal(fs.existsSync(marker), false, 'the program named in the untrusted folder’s settings did not run');

  await runCommand(page, 'K230: Open Live Preview');
  await previewFrame(page).locator('[data-testid=stats]').waitFor({ timeout: 20_000 });
  await waitFor(page, '30 decoded frames in Restricted Mode', async () => (await decodedInPreview(page)) >= 30);

  await page.getByRole('button', { name: /Start Recording/ }).first().click();
  await page.getByRole('button', { name: /Stop Recording/ }).first().waitFor({ timeout: 5000 });
  await page.waitForTimeout(3000);
  await page.getByRole('button', { name: /Stop Recording/ }).first().click();
  const recordings = path.join(vscode.workspace, 'recordings');
  const mp4 = () => (fs.existsSync(recordings) ? fs.readdirSync(recordings).find((f) => f.endsWith('.mp4')) : undefined);
  await waitFor(page, 'the recording in the workspace', () => mp4() !== undefined);
  await page.getByText(/K230: saved recordings\//).first().waitFor({ timeout: 10_000 });
  const file = path.join(recordings, mp4()!);
  assert.ok(probeVideo(file).frames >= 60, `3 s of frames (got ${probeVideo(file).frames})`);
  assert.equal(decodeErrors(file), '');
  assert.equal(fs.existsSync(marker), false);
  await screenshot(page, 'restricted-mode.png');
});
