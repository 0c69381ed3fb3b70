// Files to the board in a real VS Code (code-server with the packaged .vsix), as a user does it in
// the Board Files view: a file and a folder dragged from the Explorer, Upload… through the open
// dialog, New Folder, Rename, Set as main.py and a refusal of the agent's, against the simulated
// board, whose card is a folder here: what landed is compared with the workspace by SHA-256.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CodeServer, runCommand, startCodeServer } from '../../scripts/code-server';
import { TEST_VSIX } from '../../scripts/package-files';
import { boardItem, screenshot as saveScreenshot, waitFor as waitUntil } from './workbench';

const boardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-board-files-'));
const portLink = path.join(boardDir, 'port');
const sdcard = path.join(boardDir, 'sdcard');
let board: SimulatedBoard;
let vscode: CodeServer;
let page: Page;

const waitFor = (what: string, check: () => Promise<boolean> | boolean, timeoutMs?: number) => waitUntil(page, what, check, timeoutMs);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const local = (name: string) => path.join(vscode.workspace, name);
const onCard = (name: string) => path.join(sdcard, name);

/** A row of a tree whose name is exactly `name`. */
const rowOf = (tree: Locator, name: string): Locator =>
  tree.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) }).first();
const boardFiles = () => page.getByRole('tree', { name: 'Board Files' });
const boardRow = (name: string): Locator => rowOf(boardFiles(), name);
const explorer = () => page.getByRole('tree', { name: /Files Explorer/ });

/** Opens a view container from the activity bar, unless it shows already (a second click would close it). */
async function showView(icon: string, tree: Locator): Promise<void> {
  if (!(await tree.isVisible())) await page.locator(`.activitybar .action-item a[aria-label^="${icon}"]`).first().click();
  await tree.waitFor({ timeout: 10_000 });
}
const showBoardFiles = () => showView('K230', boardFiles());
const showExplorer = () => showView('Explorer', explorer());

/** A row's context menu item, clicked. */
async function contextMenu(row: Locator, item: string): Promise<void> {
  const entry = page.locator('.monaco-menu .action-item', { hasText: item }).first();
  await waitFor(`${item} in the context menu`, async () => {
    if (!(await entry.isVisible())) await row.click({ button: 'right' });
    return entry.isVisible();
  });
  // At a person's pace: a menu takes no click in the instant after it opens (the right click's own release).
  await entry.hover();
  await page.waitForTimeout(500);
  await entry.click();
}

/** Enter in the open quick input, and wait for it to go. */
async function confirmInput(): Promise<void> {
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** A modal dialog's button, clicked once the dialog says `text`. */
async function answerDialog(text: RegExp, button: string): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box', { hasText: text });
  await dialog.waitFor({ timeout: 10_000 });
  await dialog.getByRole('button', { name: button, exact: true }).click();
}

/** The quick input titled `title` (an input box, or the file dialog of a remote window), once it is up. */
async function quickInput(title: string | RegExp): Promise<Locator> {
  const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  await waitFor(`the input "${title}"`, () => widget.isVisible(), 10_000);
  return widget.locator('input.input').first();
}

/** Picks a local file in the open dialog, as a person types its path there. */
async function pickFile(title: string, file: string): Promise<void> {
  const input = await quickInput(title);
  // The dialog fills in its folder after it opens: typed before that, the path would be replaced.
  await waitFor('the open dialog at its folder', async () => (await input.inputValue()).endsWith('/'));
  await input.fill(file);
  await confirmInput();
}

/** Drags a row of the Explorer onto Board Files, as a person does: hold it, rest on the K230 icon
 * until its views open, let go over `onto` (a row) or the view's empty area. */
async function dragFromExplorer(name: string, onto?: () => Locator): Promise<void> {
  await showExplorer();
  const source = rowOf(explorer(), name);
  await source.waitFor({ timeout: 10_000 });
  await source.hover();
  await page.mouse.down();
  const icon = (await page.locator('.activitybar .action-item a[aria-label^="K230"]').first().boundingBox())!;
  await page.mouse.move(icon.x + icon.width / 2, icon.y + icon.height / 2, { steps: 10 });
  for (let i = 0; i < 20 && !(await boardFiles().isVisible()); i++) {
    await page.mouse.move(icon.x + icon.width / 2 + (i % 2), icon.y + icon.height / 2, { steps: 2 });
    await page.waitForTimeout(200);
  }
  const area = (await (onto ? onto() : boardFiles()).boundingBox())!;
  const y = onto ? area.y + area.height / 2 : area.y + area.height - 20;
  await page.mouse.move(area.x + area.width / 2, y, { steps: 10 });
  await page.mouse.up();
}

before(async () => {
  fs.mkdirSync(sdcard);
  board = await startSimulatedBoard({ ptyLink: portLink, sdcard });
  vscode = await startCodeServer(TEST_VSIX, { 'k230live.port': portLink, 'k230live.autoConnect': false });
  page = vscode.page;
  fs.writeFileSync(local('hello.py'), "print('hello from the workspace')\n");
  fs.writeFileSync(local('data.bin'), randomBytes(300_000)); // dozens of FILE_WRITEs, past the agent decoder's end (128 KB)
  fs.writeFileSync(local('blink.py'), 'import time\nwhile True:\n    time.sleep(1)\n');
  fs.mkdirSync(local('lib/net'), { recursive: true });
  fs.writeFileSync(local('lib/util.py'), 'def clamp(v, lo, hi):\n    return max(lo, min(hi, v))\n');
  fs.writeFileSync(local('lib/net/wifi.py'), randomBytes(70_000).toString('base64'));
});

after(async () => {
  await vscode?.close();
  await board?.stop();
  fs.rmSync(boardDir, { recursive: true, force: true });
});

test('K230: Connect, and Board Files lists the card', async () => {
  await page.waitForTimeout(3000); // the extension host starts
  await runCommand(page, 'K230: Connect');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first().waitFor();
  await page.keyboard.press('Enter');
  await boardItem(page).filter({ hasText: /Simulated K230: connected/ }).waitFor({ timeout: 15_000 });
  await showBoardFiles();
});

test('a file dragged from the Explorer onto Board Files is uploaded into /sdcard, listed, with the same SHA-256', async () => {
  await dragFromExplorer('data.bin');
  await saveScreenshot(page, 'board-files-drop.png');
  await waitFor('data.bin on the card', () => fs.existsSync(onCard('data.bin')), 30_000);
  await boardRow('data.bin').waitFor({ timeout: 10_000 });
  assert.equal(sha256(onCard('data.bin')), sha256(local('data.bin')));
  assert.ok(!fs.existsSync(onCard('data.bin.k230part')), 'the part file was renamed once verified');
});

test('Upload… takes a file from the open dialog, and asks before replacing a file of the same name', async () => {
  await page.getByRole('button', { name: 'Upload…' }).first().click();
  await pickFile('Upload to /sdcard', local('hello.py'));
  await waitFor('hello.py on the card', () => fs.existsSync(onCard('hello.py')), 30_000);
  await boardRow('hello.py').waitFor({ timeout: 10_000 });
  assert.equal(sha256(onCard('hello.py')), sha256(local('hello.py')));

  fs.writeFileSync(local('hello.py'), "print('hello again')\n");
  await page.getByRole('button', { name: 'Upload…' }).first().click();
  await pickFile('Upload to /sdcard', local('hello.py'));
  await answerDialog(/hello\.py is on the board already\. Replace it\?/, 'Replace');
  await waitFor('the new hello.py on the card', () => sha256(onCard('hello.py')) === sha256(local('hello.py')), 30_000);
});

test('New Folder makes a folder, which lists as a tree: an upload into it shows when it is expanded', async () => {
  await page.getByRole('button', { name: 'New Folder…' }).first().click();
  const input = await quickInput('New folder in /sdcard');
  await input.fill('a/b');
  await page.locator('.quick-input-widget', { hasText: 'a name cannot hold /' }).waitFor({ timeout: 5000 });
  await input.fill('scripts');
  await confirmInput();
  await waitFor('the folder on the card', () => fs.existsSync(onCard('scripts')) && fs.statSync(onCard('scripts')).isDirectory());
  await boardRow('scripts').waitFor({ timeout: 10_000 });

  await contextMenu(boardRow('scripts'), 'Upload…');
  await pickFile('Upload to /sdcard/scripts', local('blink.py'));
  await waitFor('blink.py in the folder on the card', () => fs.existsSync(onCard('scripts/blink.py')), 30_000);
  await boardRow('scripts').click(); // expands it
  await boardRow('blink.py').waitFor({ timeout: 10_000 });
  assert.equal(sha256(onCard('scripts/blink.py')), sha256(local('blink.py')));
});

test('a folder dragged from the Explorer onto a board folder goes up with everything in it', async () => {
  await dragFromExplorer('lib', () => boardRow('scripts'));
  await waitFor('lib/net/wifi.py in scripts on the card', () => fs.existsSync(onCard('scripts/lib/net/wifi.py')), 30_000);
  assert.equal(sha256(onCard('scripts/lib/util.py')), sha256(local('lib/util.py')));
  assert.equal(sha256(onCard('scripts/lib/net/wifi.py')), sha256(local('lib/net/wifi.py')));
  await showBoardFiles();
  await boardRow('lib').click();
  await boardRow('net').waitFor({ timeout: 10_000 });
  await page.getByText(/K230: uploaded 2 files to \/sdcard\/scripts \(verified\)/).first().waitFor({ timeout: 10_000 });
});

test('Rename gives a board file a new name, and says so when the name is taken', async () => {
  await contextMenu(boardRow('hello.py'), 'Rename…');
  const input = await quickInput('Rename /sdcard/hello.py');
  assert.equal(await input.inputValue(), 'hello.py');
  await input.fill('data.bin');
  await page.locator('.quick-input-widget', { hasText: 'data.bin already exists here' }).waitFor({ timeout: 5000 });
  await input.fill('greet.py');
  await confirmInput();
  await waitFor('greet.py on the card', () => fs.existsSync(onCard('greet.py')) && !fs.existsSync(onCard('hello.py')));
  await boardRow('greet.py').waitFor({ timeout: 10_000 });
});

test('Set as main.py copies a board script to /sdcard/main.py, and asks before replacing it with one from the Explorer', async () => {
  await contextMenu(boardRow('greet.py'), 'Set as main.py');
  await waitFor('main.py on the card', () => fs.existsSync(onCard('main.py')), 20_000);
  assert.equal(sha256(onCard('main.py')), sha256(onCard('greet.py')));
  await page.getByText(/greet\.py is now \/sdcard\/main\.py: it runs when the board starts/).first().waitFor({ timeout: 10_000 });

  await showExplorer();
  await contextMenu(rowOf(explorer(), 'blink.py'), 'Set as main.py');
  await answerDialog(/Replace \/sdcard\/main\.py on the board with blink\.py\?/, 'Replace');
  await waitFor('blink.py as main.py on the card', () => sha256(onCard('main.py')) === sha256(local('blink.py')), 20_000);
});

test('a link on the card that leads out of /sdcard: the agent refuses it, and the message says so as it comes', async () => {
  fs.writeFileSync(path.join(boardDir, 'secret.py'), "print('not on the card')\n");
  fs.symlinkSync(path.join(boardDir, 'secret.py'), onCard('outside.py'));
  await showBoardFiles();
  await page.getByRole('button', { name: 'Refresh' }).first().click();
  await contextMenu(boardRow('outside.py'), 'Set as main.py');
  await page.getByText(/K230: board refused FILE_STAT: \/sdcard\/outside\.py is outside \/sdcard/).first().waitFor({ timeout: 10_000 });
  assert.equal(sha256(onCard('main.py')), sha256(local('blink.py')), 'main.py as it was');
});
