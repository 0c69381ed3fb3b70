// K230 Live in Chinese (Simplified), in a real VS Code (code-server --locale zh-cn) with the
// packaged .vsix and a simulated board of its own: a command title in the palette (package.nls),
// the board's status bar item (vscode.l10n in the extension host) and the preview's labels (the
// table the extension translates for the webview).
// VS Code shows an extension's translations only once its own display language is zh-cn, and that
// takes a language pack: --locale alone leaves vscode.env.language at 'en' (the first test says
// so). No language pack can be downloaded here, so the second run installs a stand-in one
// (zh-cn-language-pack/: the locale, and none of VS Code's own strings) as a user installs
// Microsoft's: in the window, from its .vsix, then a reload. (code-server --install-extension puts
// a language pack on disk without registering it: only a running server does that.)
// vscode.env.language is read off the preview's <html lang>, which the extension sets from it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_VSIX } from '../../scripts/package-files';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CodeServer, ROOT, runCommand, startCodeServer } from '../../scripts/code-server';
import { boardItem, previewFrame, waitFor } from './workbench';

const VSIX = TEST_VSIX;
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-zh-cn-'));
const portLink = path.join(base, 'port');
let board: SimulatedBoard | undefined;
let vscode: CodeServer | undefined;

after(async () => {
  await vscode?.close();
  await board?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

/** The stand-in language pack, packaged from its folder into a .vsix. */
function languagePackVsix(): string {
  const folder = path.join(base, 'language-pack');
  fs.cpSync(path.join(__dirname, 'zh-cn-language-pack'), folder, { recursive: true });
  const vsix = path.join(base, 'language-pack-zh-cn.vsix');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: folder, stdio: 'ignore' });
  return vsix;
}

/** A code-server of this file's for `run`, closed after it whatever happens. */
async function withCodeServer(settings: Record<string, unknown>, run: (page: Page) => Promise<void>): Promise<void> {
  vscode = await startCodeServer(VSIX, settings, { locale: 'zh-cn' });
  try {
    await vscode.page.waitForTimeout(3000); // the extension host starts
    await run(vscode.page);
  } finally {
    await vscode.close();
    vscode = undefined;
  }
}

/** Installs a .vsix as a user does, in the window (VS Code's own file picker, in a browser). */
async function installFromVsix(page: Page, vsix: string): Promise<void> {
  await runCommand(page, 'Extensions: Install from VSIX...');
  // The picker fills in a folder of its own a moment after it opens: the path is typed again until it stays.
  const picker = page.locator('.quick-input-widget input');
  await waitFor(page, 'the file picker to take the path', async () => {
    await picker.fill(vsix);
    await page.waitForTimeout(700);
    return (await picker.inputValue()) === vsix;
  });
  await page.keyboard.press('Enter');
  await page.locator('.notification-toast', { hasText: 'Completed installing extension' }).waitFor({ timeout: 30_000 });
}

/** The titles the command palette lists for `filter`, once `expected` is among them. An open
 * palette keeps the commands it was opened with: it is opened again until the extension's are in. */
async function paletteRows(page: Page, filter: string, expected: string): Promise<string[]> {
  const input = page.locator('.quick-input-widget input');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  let titles: string[] = [];
  await waitFor(page, `${expected} in the command palette`, async () => {
    await page.keyboard.press('F1');
    await input.waitFor();
    await input.fill(`>${filter}`);
    await page.waitForTimeout(1000);
    titles = await rows.allTextContents();
    await page.keyboard.press('Escape');
    return titles.some((t) => t.includes(expected));
  }, 40_000);
  return titles;
}

/** vscode.env.language as the extension saw it: the preview's <html lang>. */
async function extensionLanguage(page: Page): Promise<string | null> {
  await previewFrame(page).locator('#record').waitFor({ timeout: 20_000 });
  return previewFrame(page).locator('html').getAttribute('lang');
}

test('--locale zh-cn without a language pack: VS Code stays in English (vscode.env.language en), and so does K230 Live', async () => {
  await withCodeServer({ 'k230live.autoConnect': false }, async (page) => {
    const titles = await paletteRows(page, 'K230', 'K230: Connect');
    assert.ok(!titles.some((t) => t.includes('连接')), `no Chinese title (${titles.join(' | ')})`);
    await runCommand(page, 'K230: Open Live Preview');
    assert.equal(await extensionLanguage(page), 'en');
    assert.equal((await previewFrame(page).locator('#record').textContent())?.trim(), 'Record');
  });
});

test('with a zh-cn language pack: the palette says K230: 连接, the status bar 已连接, the preview 录制', async () => {
  board = await startSimulatedBoard({ ptyLink: portLink });
  await withCodeServer({ 'k230live.port': portLink, 'k230live.autoConnect': false }, async (page) => {
    await installFromVsix(page, languagePackVsix());
    await page.reload(); // the display language is taken as the window loads
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);

    // The command title (package.nls.zh-cn.json); the quick pick it opens (l10n/bundle.l10n.zh-cn.json).
    const titles = await paletteRows(page, 'K230', 'K230: 连接');
    assert.ok(titles.some((t) => t.includes('K230: 打开实时预览')), `Open Live Preview in Chinese too (${titles.join(' | ')})`);
    await runCommand(page, 'K230: 连接');
    const port = page.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first();
    await port.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.quick-input-widget input').getAttribute('placeholder'), '开发板的串口');
    assert.match((await port.textContent()) ?? '', /已记住/); // k230live.port, which this window did not connect to: remembered, not "last used"
    await port.click();
    await boardItem(page).filter({ hasText: /Simulated K230：(已连接|推流中)/ }).waitFor({ timeout: 15_000 });

    await runCommand(page, 'K230: 打开实时预览');
    assert.equal(await extensionLanguage(page), 'zh-cn');
    const preview = previewFrame(page);
    await waitFor(page, 'the preview streaming', async () => ((await preview.locator('.board-state').textContent()) ?? '').includes('推流中'));
    assert.equal((await preview.locator('#record').textContent())?.trim(), '录制');
    assert.equal((await preview.locator('#snapshot').textContent())?.trim(), '快照');
    assert.equal(await preview.locator('#resolution').getAttribute('aria-label'), '分辨率');
    await page.locator('.tab', { hasText: 'K230 实时预览' }).first().waitFor({ timeout: 5000 });
  });
});
