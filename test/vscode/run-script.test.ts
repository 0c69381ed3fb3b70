// Run File on Board in a real VS Code (code-server), as a person does it: the ▶ in the editor title
// runs the open file on a simulated stock CanMV board, its output shows in a terminal, a failing
// line is marked in the editor, ■ stops a script that does not end, and the live preview shows what
// the script shows on its display while it runs (and Record on Board records it), then the camera
// again.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CodeServer, runCommand, startCodeServer } from '../../scripts/code-server';
import { TEST_VSIX } from '../../scripts/package-files';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { decodeErrors, probeVideo } from '../support/media';
import { boardItem, decodedInPreview, previewFrame, screenshot, waitFor as waitUntil } from './workbench';

const boardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-run-'));
const portLink = path.join(boardDir, 'port');
let board: SimulatedBoard;
let vscode: CodeServer;
let page: Page;

const waitFor = (what: string, check: () => Promise<boolean> | boolean, timeoutMs?: number) => waitUntil(page, what, check, timeoutMs);
/** What the terminal panel shows (the DOM renderer: its rows are text). */
const terminalText = () => page.locator('.terminal-wrapper.active .xterm-rows').innerText().catch(() => '');

async function openFile(name: string, code: string): Promise<void> {
  fs.writeFileSync(path.join(vscode.workspace, name), code);
  // Quick Open, from the editor (the terminal keeps some keys); a file just made may take a moment to be found.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  await waitFor(`${name} in Quick Open`, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill(name);
    return row.waitFor({ timeout: 3000 }).then(() => true, () => false);
  });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/** The preview's tab, brought to the front (opening a file in its group hides it, and a hidden preview is not fed). */
const showPreview = () => page.locator('.tab', { hasText: 'K230 Live Preview' }).first().click();
const runButton = () => page.locator('.editor-actions').getByRole('button', { name: /Run File on Board/ });
const stopButton = () => page.locator('.editor-actions').getByRole('button', { name: /Stop Script/ });

before(async () => {
  fs.mkdirSync(path.join(boardDir, 'sdcard'));
  board = await startSimulatedBoard({ stock: true, ptyLink: portLink, sdcard: path.join(boardDir, 'sdcard') });
  vscode = await startCodeServer(TEST_VSIX, {
    'k230live.port': portLink,
    'k230live.autoConnect': false,
    'terminal.integrated.gpuAcceleration': 'off',
    'workbench.colorTheme': 'Default Dark Modern',
  });
  page = vscode.page;
  await page.waitForTimeout(3000); // the extension host starts
  await runCommand(page, 'K230: Connect');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first().waitFor();
  await page.keyboard.press('Enter');
  await boardItem(page).filter({ hasText: /connected/ }).waitFor({ timeout: 30_000 });
});

after(async () => {
  await vscode?.close();
  await board?.stop();
  fs.rmSync(boardDir, { recursive: true, force: true });
});

test('▶ in the editor title runs the open file on the board; its output shows in a terminal as it is printed', async () => {
  await openFile('hello.py', 'import time\nprint("你好 from the board")\nfor i in range(3):\n    print("count", i)\n    time.sleep(0.2)\n');
  await runButton().click();
  await waitFor('the script\'s lines in the terminal', async () => /count 2/.test(await terminalText()), 20_000);
  const text = await terminalText();
  assert.ok(text.indexOf('你好 from the board') < text.indexOf('count 0'), text);
  await waitFor('how it ended', async () => /hello\.py finished in \d+\.\d s/.test(await terminalText()));
  await screenshot(page, 'run-script.png');
});

test('an exception marks the failing line in the editor, and the terminal shows the traceback', async () => {
  await openFile('boom.py', 'x = 0\nprint("dividing")\ny = 1 / x\n');
  await runButton().click();
  await waitFor('the traceback', async () => /File "boom\.py", line 3/.test(await terminalText()), 20_000);
  await page.locator('.squiggly-error').first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+Shift+M'); // the Problems panel
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'ZeroDivisionError' }).first().waitFor({ timeout: 10_000 });
});

test('■ stops a script that never ends, and the terminal says so', async () => {
  await openFile('forever.py', 'import time\nwhile True:\n    print("still running")\n    time.sleep(0.2)\n');
  await runButton().click();
  await waitFor('the script runs', async () => /still running/.test(await terminalText()), 20_000).catch(async (e) => {
    await screenshot(page, 'run-script-failed.png');
    throw new Error(`${(e as Error).message}; the terminal shows: ${await terminalText()}`);
  });
  await stopButton().click();
  await waitFor('stopped by you', async () => /forever\.py stopped by you after/.test(await terminalText()), 10_000);
  await runButton().waitFor({ timeout: 5000 }); // ▶ is back
});

test('the preview shows the script\'s display while it runs, says so, and the camera again after it', async () => {
  await runCommand(page, 'K230: Open Live Preview');
  const preview = previewFrame(page);
  const showing = preview.getByTestId('showing');
  await waitFor('the camera in the preview', async () => (await showing.getAttribute('data-live').catch(() => null)) === 'camera', 30_000);
  await openFile('boxes.py', [
    'import time, image',
    'from media.display import Display',
    'Display.init(Display.VIRT, width=640, height=480, fps=30)',
    'img = image.Image(640, 480, image.ARGB8888)',
    'for i in range(300):',
    '    img.clear()',
    '    img.draw_rectangle(20 + i * 2, 100, 80, 80, color=(255, 255, 255), fill=True)',
    '    Display.show_image(img)',
    '    time.sleep_ms(30)',
    'print("done")',
    'Display.deinit()',
    '',
  ].join('\n'));
  await runButton().click();
  await showPreview();
  await waitFor('the script\'s display in the preview', async () => (await showing.getAttribute('data-live').catch(() => null)) === 'display', 20_000);
  const before = await decodedInPreview(page);
  await waitFor('the display\'s pictures decoded in the webview', async () => (await decodedInPreview(page)) >= before + 30, 20_000);
  // the picture's own size, whichever surface shows it (a canvas for WebCodecs, a <video> for MediaSource)
  const size = await preview.locator('.stage > :is(video, canvas):not([hidden])').evaluate((e: HTMLVideoElement | HTMLCanvasElement) => (e instanceof HTMLVideoElement ? `${e.videoWidth}x${e.videoHeight}` : `${e.width}x${e.height}`));
  assert.equal(size, '640x480', 'the display\'s own size');
  await screenshot(page, 'preview-script-display.png');
  // Record on Board takes the display too, and its file ends with the script, which a notice says.
  await runCommand(page, 'K230: Record on Board');
  await page.locator('.statusbar-item', { hasText: /Board REC/ }).first().waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the notices: ${(await page.locator('.notification-toast').allInnerTexts()).join(' | ')}; the log: ${vscode.extensionLog().split('\n').slice(-15).join('\n')}`);
  });
  await waitFor('the script ends', async () => /boxes\.py finished/.test(await terminalText()), 30_000);
  const saved = page.getByText(/the board saved \/sdcard\/rec-.*\.mp4 \(\d+ frames, [\d.]+ s\): the script ended/).first();
  await saved.waitFor({ timeout: 10_000 });
  await page.locator('.statusbar-item', { hasText: /Board REC/ }).first().waitFor({ state: 'hidden', timeout: 5000 });
  const name = /\/sdcard\/(rec-.*?\.mp4)/.exec(await saved.innerText())![1];
  const onCard = probeVideo(path.join(boardDir, 'sdcard', name));
  assert.equal(`${onCard.codec} ${onCard.width}x${onCard.height}`, 'h264 640x480', 'the board recorded the display');
  assert.ok(onCard.frames >= 30, `${onCard.frames} pictures of the display on the card`);
  assert.equal(decodeErrors(path.join(boardDir, 'sdcard', name)), '');
  await waitFor('the camera again', async () => (await showing.getAttribute('data-live').catch(() => null)) === 'camera', 20_000);
});

test('a script that shows no display: the preview says so instead of a black frame', async () => {
  await openFile('quiet.py', 'import time\nimport media.sensor\nfor i in range(30):\n    time.sleep(0.2)\n');
  await runButton().click();
  await showPreview();
  const placeholder = previewFrame(page).locator('.placeholder');
  await placeholder.filter({ hasText: 'This script shows no display' }).waitFor({ timeout: 20_000 }).catch(async (e) => {
    await screenshot(page, 'preview-no-display-failed.png');
    throw new Error(`${(e as Error).message}; the preview shows: ${await placeholder.innerText().catch(() => '?')} (live: ${await previewFrame(page).getByTestId('showing').getAttribute('data-live').catch(() => '?')}); the terminal: ${await terminalText()}`);
  });
  await runCommand(page, 'K230: Stop Script');
  await waitFor('stopped by you', async () => /quiet\.py stopped by you after/.test(await terminalText()), 10_000);
});
