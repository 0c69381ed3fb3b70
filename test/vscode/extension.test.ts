// The packaged .vsix in a real VS Code (code-server), driven as a user would, against the
// simulated board on a PTY.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { decodeErrors, probeVideo } from '../support/media';
import { holdsWithin } from '../support/poll';
import { CodeServer, pickFrom, runCommand, startCodeServer } from '../../scripts/code-server';
import { TEST_VSIX } from '../../scripts/package-files';
import { boardItem, decodedInPreview, previewFrame, screenshot as saveScreenshot, waitFor as waitUntil } from './workbench';

const VSIX = TEST_VSIX;
const boardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-board-'));
const portLink = path.join(boardDir, 'port');
const sdcard = path.join(boardDir, 'sdcard');
let board: SimulatedBoard;
let proxy: FaultProxy | undefined;
let vscode: CodeServer;
let page: Page;

const statusBar = () => boardItem(page);
const preview = (): FrameLocator => previewFrame(page);
const recordings = () => path.join(vscode.workspace, 'recordings');
const mp4s = () => (fs.existsSync(recordings()) ? fs.readdirSync(recordings()).filter((f) => f.endsWith('.mp4')).sort() : []);
const decoded = () => decodedInPreview(page);
const waitFor = (what: string, check: () => Promise<boolean> | boolean, timeoutMs?: number) => waitUntil(page, what, check, timeoutMs);
const screenshot = (name: string) => saveScreenshot(page, name);

before(async () => {
  fs.mkdirSync(sdcard);
  board = await startSimulatedBoard({ ptyLink: portLink, sdcard });
  vscode = await startCodeServer(VSIX, {
    'k230live.port': portLink,
    'k230live.autoConnect': false,
    'workbench.colorTheme': 'Default Dark Modern',
    // free ports: another program on this machine may hold 8554 or 8080
    'k230live.share.rtspPort': 0,
    'k230live.share.httpPort': 0,
  });
  page = vscode.page;
});

after(async () => {
  await vscode?.close();
  await board?.stop();
  proxy?.stop();
  fs.rmSync(boardDir, { recursive: true, force: true });
});

test('K230: Connect offers the remembered port and connects to the simulated board', async () => {
  await page.waitForTimeout(3000); // the extension host starts
  await runCommand(page, 'K230: Connect');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first().waitFor();
  await page.keyboard.press('Enter');
  await statusBar().filter({ hasText: /Simulated K230: connected/ }).waitFor({ timeout: 15_000 });
});

test('the live preview decodes frames inside the webview', async () => {
  await runCommand(page, 'K230: Open Live Preview');
  await preview().locator('[data-testid=stats]').waitFor({ timeout: 20_000 });
  await waitFor('30 decoded frames in the webview', async () => (await decoded()) >= 30);
  assert.equal(await preview().locator('[data-testid=stats]').getAttribute('data-path'), 'webcodecs', 'WebCodecs, the default path where the webview decodes H.264');
  await statusBar().filter({ hasText: /streaming/ }).waitFor();
  await screenshot('preview-dark.png');
});

test('the preview hears the board: its level meter moves on the tone bursts, muted as it starts', async () => {
  const level = preview().getByTestId('level');
  await level.waitFor({ timeout: 10_000 });
  assert.equal((await preview().locator('#mute').textContent())?.trim(), 'Unmute', 'the preview starts muted');
  const seen: number[] = [];
  for (let i = 0; i < 50; i++) {
    seen.push(Number(await level.getAttribute('data-db')));
    await page.waitForTimeout(50);
  }
  assert.ok(seen.some((db) => db > -12), `the meter rose with a burst (${seen.join(' ')})`);
  assert.ok(seen.some((db) => db < -60), `and fell in the silence between (${seen.join(' ')})`);
});

test('Snapshot saves the frame on screen as a PNG in the workspace', async () => {
  await preview().locator('#snapshot').click();
  await waitFor('a PNG in recordings/', () => fs.existsSync(recordings()) && fs.readdirSync(recordings()).some((f) => f.endsWith('.png')));
  const png = fs.readdirSync(recordings()).find((f) => f.endsWith('.png'))!;
  const bytes = fs.readFileSync(path.join(recordings(), png));
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  assert.equal(bytes.readUInt32BE(16), 1280); // IHDR width: the board's resolution
  await preview().getByTestId('notice').filter({ hasText: `Saved ${path.basename(recordings())}/${png}` }).waitFor({ timeout: 5000 });
});

test('a resolution picked in the panel takes effect live', async () => {
  await preview().locator('#resolution').click();
  await preview().getByRole('option', { name: '640×360' }).click();
  // the picture's own width, whichever surface shows it (a canvas for WebCodecs, a <video> for MediaSource)
  const width = () => preview().locator('.stage > :is(video, canvas):not([hidden])').evaluate((e: HTMLVideoElement | HTMLCanvasElement) => (e instanceof HTMLVideoElement ? e.videoWidth : e.width));
  await waitFor('640-pixel-wide video', async () => (await width()) === 640);
  await preview().locator('#resolution').click();
  await preview().getByRole('option', { name: '1280×720' }).click();
  await waitFor('1280-pixel-wide video', async () => (await width()) === 1280);
});

test('the preview follows a light theme', async () => {
  const background = () => page.locator('.monaco-workbench').evaluate((e) => getComputedStyle(e).getPropertyValue('--vscode-editor-background'));
  const dark = await background();
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  await waitFor('the light theme', async () => (await background()) !== dark);
  await page.waitForTimeout(1500);
  await screenshot('preview-light.png');
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
});

test('Record, 5 s, Stop: a file in the workspace with about 150 frames that decodes cleanly', async () => {
  await page.getByRole('button', { name: /Start Recording/ }).first().click();
  await page.getByRole('button', { name: /Stop Recording/ }).first().waitFor({ timeout: 5000 });
  await page.waitForTimeout(5000);
  await page.getByRole('button', { name: /Stop Recording/ }).first().click();
  await waitFor('the recording in the workspace', () => mp4s().length === 1);
  const file = path.join(recordings(), mp4s()[0]);
  assert.match(mp4s()[0], /^Simulated-K230-\d{8}-\d{6}\.mp4$/);
  await page.getByText(/K230: saved recordings\//).first().waitFor({ timeout: 5000 });
  const v = probeVideo(file);
  assert.equal(v.codec, 'h264');
  assert.ok(v.frames >= 140 && v.frames <= 165, `about 150 frames (got ${v.frames})`);
  assert.equal(v.pts[0], 0);
  const sound = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate', '-of', 'csv=p=0', file]).toString().trim();
  assert.equal(sound, 'pcm_mulaw,8000', 'the sound beside the picture');
  assert.equal(decodeErrors(file), '');
});

test('K230: Share Stream serves the board to ffmpeg over RTSP and HTTP beside the preview and a recording; the status bar counts the client', async () => {
  const before = mp4s().length;
  await page.getByRole('button', { name: /Start Recording/ }).first().click();
  await page.getByRole('button', { name: /Stop Recording/ }).first().waitFor({ timeout: 5000 });
  const decodedBefore = await decoded();
  await runCommand(page, 'K230: Share Stream');
  const toast = page.locator('.notification-toast', { hasText: 'sharing the stream at' }).first();
  await toast.waitFor({ timeout: 10_000 });
  // The toast's text runs on into its buttons' labels: the URLs end in /k230 and .mp4.
  const [, rtsp, http] = /sharing the stream at (rtsp:\/\/\S+?\/k230) and (http:\/\/\S+?\.mp4)/.exec((await toast.textContent()) ?? '') ?? [];
  assert.match(rtsp ?? '', /^rtsp:\/\/127\.0\.0\.1:\d+\/k230$/);
  assert.match(http ?? '', /^http:\/\/127\.0\.0\.1:\d+\/k230\.mp4$/);
  const clients = page.locator('.statusbar-item', { hasText: /\d+ clients?/ }).first();
  for (const url of [rtsp, http]) {
    const input = url.startsWith('rtsp:') ? ['-rtsp_transport', 'tcp', '-i', url] : ['-i', url];
    const ffmpeg = spawn('ffmpeg', ['-nostdin', '-v', 'error', ...input, '-map', '0:v:0', '-frames:v', '90', '-f', 'framecrc', '-']);
    let out = '';
    let errors = '';
    ffmpeg.stdout.on('data', (d) => (out += d));
    ffmpeg.stderr.on('data', (d) => (errors += d));
    const done = new Promise((r) => ffmpeg.once('close', r));
    try {
      await waitFor('1 client in the status bar', async () => /1 client\b/.test((await clients.textContent()) ?? ''));
      await done;
    } finally {
      ffmpeg.kill('SIGKILL');
    }
    assert.equal(out.split('\n').filter((l) => /^0,/.test(l)).length, 90, `ffmpeg decoded 90 frames over ${url}`);
    assert.equal(errors.trim(), '');
  }
  await runCommand(page, 'K230: Stop Sharing the Stream');
  await waitFor('the sharing item gone', async () => !(await clients.isVisible()));
  assert.ok((await decoded()) > decodedBefore + 90, 'the preview played on beside the clients');
  await page.getByRole('button', { name: /Stop Recording/ }).first().click();
  await waitFor('the recording in the workspace', () => mp4s().length === before + 1);
  const file = path.join(recordings(), mp4s().at(-1)!);
  assert.ok(probeVideo(file).frames >= 150, 'the recording ran on beside the clients');
  assert.equal(decodeErrors(file), '');
});

test('killing the agent mid-recording keeps a playable file, says so, and reconnects when it is back', async () => {
  await runCommand(page, 'Notifications: Clear All Notifications'); // the message must not hide behind older ones
  await page.getByRole('button', { name: /Start Recording/ }).first().click();
  await page.getByRole('button', { name: /Stop Recording/ }).first().waitFor({ timeout: 5000 });
  // While it records, the panel is refused a new resolution, says why, and goes on showing what runs.
  await preview().locator('#resolution').click();
  await preview().getByRole('option', { name: '640×360' }).click();
  await preview().getByTestId('notice').filter({ hasText: /Settings not applied: stop the recording/ }).waitFor({ timeout: 5000 });
  assert.equal(await preview().locator('#resolution').evaluate((s) => (s as unknown as { value: string }).value), '1280x720');
  await page.waitForTimeout(3000);
  board.process.kill('SIGKILL');
  await page.getByText(/recording stopped: the board went away/).first().waitFor({ timeout: 20_000 });
  await statusBar().filter({ hasText: /disconnected/ }).waitFor();
  const file = path.join(recordings(), mp4s().at(-1)!);
  const v = probeVideo(file);
  assert.ok(v.frames >= 45, `the frames before the kill are kept (got ${v.frames})`);
  assert.equal(decodeErrors(file), '');

  board = await startSimulatedBoard({ ptyLink: portLink, sdcard, build: false });
  await statusBar().filter({ hasText: /Simulated K230: (connected|streaming)/ }).waitFor({ timeout: 15_000 });
  const before = await decoded();
  await waitFor('the preview playing again', async () => (await decoded()) >= 30 && (await decoded()) !== before);
});

test('unplugging the board: the extension says so, reconnects by itself after the replug, and the preview plays again', async () => {
  // The board behind a cable that can be pulled: the fault proxy takes over the port's path, the
  // agent serves the proxy's board-side device, as it serves /dev/ttyUSB1 on a K230.
  await board.stop();
  proxy = await startFaultProxy(portLink, path.join(boardDir, 'board-tty'));
  board = await startSimulatedBoard({ device: proxy.agentPath, sdcard, build: false });
  await statusBar().filter({ hasText: /Simulated K230: streaming/ }).waitFor({ timeout: 20_000 });
  await waitFor('the preview playing through the cable', async () => (await decoded()) >= 30);

  await runCommand(page, 'Notifications: Clear All Notifications');
  await proxy.inject({ kind: 'hangup', how: 'vhangup', board: true, seconds: 3 }); // as cdc-acm does on unplug
  await statusBar().filter({ hasText: /disconnected/ }).waitFor({ timeout: 5000 });
  await page.getByText(/the board went away: .* closed \(hung up or unplugged\)/).first().waitFor({ timeout: 5000 });

  await statusBar().filter({ hasText: /Simulated K230: streaming/ }).waitFor({ timeout: 20_000 });
  const before = await decoded();
  await waitFor('the preview playing after the replug', async () => (await decoded()) >= before + 30);
  assert.equal(board.process.exitCode, null, 'the agent served again on its device');
});

test('Record on Board for 5 s, then Pull to Workspace from the Board Files view: the file decodes', async () => {
  await runCommand(page, 'K230: Record on Board');
  await page.locator('.statusbar-item', { hasText: /Board REC/ }).first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(5000);
  await runCommand(page, 'K230: Stop Board Recording');
  const saved = page.getByText(/the board saved \/sdcard\/rec-.* \(\d+ frames/).first();
  await saved.waitFor({ timeout: 10_000 });
  const boardFrames = Number(/\((\d+) frames/.exec(await saved.innerText())![1]);
  const onBoard = fs.readdirSync(sdcard).find((f) => /^rec-.*\.mp4$/.test(f))!;
  assert.ok(onBoard, 'the recording is on the board');

  await page.locator('.activitybar .action-item a[aria-label^="K230"]').first().click();
  const row = page.locator('.part.sidebar .monaco-list-row', { hasText: onBoard }).first();
  await row.waitFor({ timeout: 10_000 });
  const pulledHere = () => fs.existsSync(path.join(recordings(), onBoard));
  const clickPull = async () => {
    await row.hover();
    await row.locator('.action-label[aria-label="Pull to Workspace"]').click(); // the row's inline action
  };
  await clickPull();
  // One run in several, the click brought neither the progress notification nor the file. That is
  // not understood yet: the extension's log is printed for the next look, and the click repeated.
  const started = async () => pulledHere() || (await page.getByText(/Pulling rec-/).count()) > 0;
  if (!(await holdsWithin(started, 5000))) {
    await screenshot('pull-click-without-effect.png');
    console.log(`# the click on Pull to Workspace brought nothing within 5 s; clicking again. The extension's log:\n${vscode.extensionLog().split('\n').slice(-40).join('\n')}`);
    await clickPull();
  }
  await waitFor('the pulled file in the workspace', pulledHere, 30_000);
  await page.getByText(/K230: pulled recordings\//).first().waitFor({ timeout: 10_000 });
  const pulled = path.join(recordings(), onBoard);
  assert.deepEqual(fs.readFileSync(pulled), fs.readFileSync(path.join(sdcard, onBoard)));
  const v = probeVideo(pulled);
  // As many as the board said it saved; how many more than 5 s of them depends on the palette's pace.
  assert.equal(v.frames, boardFrames, 'every frame the board recorded');
  assert.ok(v.frames >= 140, `at least 5 s of frames (got ${v.frames})`);
  assert.equal(decodeErrors(pulled), '');
  await screenshot('board-files.png');
});

test('Start Simulated Board offers a stock CanMV board: the agent is uploaded on Connect and the preview plays its stream', async () => {
  const offered = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start Simulated Board' });
  await pickFrom(page, 'K230: Start Simulated Board', 'Stock CanMV', async () => assert.ok((await offered.count()) >= 1, 'both are offered'));
  await page.locator('.statusbar-item', { hasText: /k230_canmv: (connected|streaming)/ }).first().waitFor({ timeout: 30_000 });
  await runCommand(page, 'K230: Open Live Preview');
  await preview().locator('[data-testid=stats]').waitFor({ timeout: 20_000 });
  const before = await decoded();
  await waitFor('30 more frames from the stock board decoded in the webview', async () => (await decoded()) >= before + 30, 30_000);
  await page.locator('.statusbar-item', { hasText: /k230_canmv: streaming/ }).first().waitFor();
  await screenshot('preview-stock-board.png');
});

test('Disconnect while sharing ends the sharing and says so', async () => {
  await runCommand(page, 'K230: Share Stream');
  const clients = page.locator('.statusbar-item', { hasText: /\d+ clients?/ }).first();
  await clients.waitFor({ timeout: 10_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  await runCommand(page, 'K230: Disconnect');
  await page.getByText('K230: stopped sharing the stream (0 clients).').first().waitFor({ timeout: 10_000 });
  await waitFor('the sharing item gone', async () => !(await clients.isVisible()));
  await statusBar().filter({ hasText: /disconnected/ }).waitFor({ timeout: 10_000 });
});
