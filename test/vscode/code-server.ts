// A real VS Code for tests: code-server with our packaged .vsix, opened in Debian's Chromium.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { type CodeServerOptions, launchCodeServer } from '../../scripts/code-server';
import { CHROMIUM_ARGS } from '../browser/harness';

export { ROOT } from '../../scripts/code-server';

export interface CodeServer {
  page: Page;
  workspace: string;
  /** A second window of the same VS Code, on another folder (made if missing). */
  openWindow(folder: string): Promise<Page>;
  /** the K230 Live output channel's log, all windows */
  extensionLog(): string;
  close(): Promise<void>;
}

export async function startCodeServer(
  vsix: string,
  settings: Record<string, unknown>,
  options: Pick<CodeServerOptions, 'trusted' | 'locale'> = {},
): Promise<CodeServer> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-vscode-'));
  const workspace = path.join(base, 'workspace');
  const server = await launchCodeServer({ vsix, workspace, settings, ...options });
  const context = await chromium.launchPersistentContext(path.join(base, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const open = async (page: Page, url: string) => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return page;
  };
  const page = await open(context.pages()[0] ?? (await context.newPage()), server.url);
  return {
    page,
    workspace,
    extensionLog: () => server.extensionLog(),
    async openWindow(folder) {
      fs.mkdirSync(folder, { recursive: true });
      return open(await context.newPage(), server.urlOf(folder));
    },
    async close() {
      await context.close().catch(() => undefined);
      await server.stop();
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Runs a command from the palette, as a user does: F1, its title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}
