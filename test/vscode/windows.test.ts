// One board and more than one VS Code window, and a window reloaded: in a real VS Code
// (code-server) with the packaged extension, against the simulated board on a PTY. One window owns
// the board; another says the board is in use there and leaves the port alone (strace on its
// extension host sees no open of the port), and takes the board when the first lets go. A reloaded window brings
// its preview back by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SimulatedBoard, startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { CodeServer, runCommand, startCodeServer } from '../../scripts/code-server';
import { boardItem, decodedInPreview, previewFrame, screenshot, waitFor } from './workbench';
import { TEST_VSIX } from '../../scripts/package-files';

const VSIX = TEST_VSIX;
const boardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-windows-'));
const portLink = path.join(boardDir, 'port');
let board: SimulatedBoard;
let vscode: CodeServer;
let first: Page;

before(async () => {
  fs.mkdirSync(path.join(boardDir, 'sdcard'));
  board = await startSimulatedBoard({ ptyLink: portLink, sdcard: path.join(boardDir, 'sdcard') });
  vscode = await startCodeServer(VSIX, {
    'k230live.port': portLink,
    'k230live.autoConnect': true,
    'k230live.share.rtspPort': 0,
    'k230live.share.httpPort': 0,
  });
  first = vscode.page;
});

after(async () => {
  await vscode?.close();
  await board?.stop();
  fs.rmSync(boardDir, { recursive: true, force: true });
});

/** The processes other than the board that have the port's device open. */
function portHolders(): number[] {
  const device = fs.realpathSync(portLink);
  const holders: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === board.process.pid) continue;
    try {
      if (fs.readdirSync(`/proc/${pid}/fd`).some((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === device)) holders.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return holders;
}

/**
 * Every open of the port by the extension hosts that do not hold it, seen by strace (attached to
 * all their threads: libuv opens files on its thread pool). An open refused as busy is seen too,
 * which a look at their file descriptors would miss.
 */
function watchOpens(): { opens(): string[]; stop(): Promise<void> } {
  const holders = portHolders();
  const hosts = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && !holders.includes(Number(d))).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes('--type=extensionHost');
    } catch {
      return false;
    }
  });
  assert.ok(hosts.length >= 1, 'the second window has an extension host of its own');
  const device = fs.realpathSync(portLink);
  const strace = spawn('strace', ['-f', '-qq', '-e', 'trace=open,openat', '-e', 'signal=none', ...hosts.flatMap((pid) => ['-p', pid])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  strace.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((resolve) => strace.once('close', () => resolve()));
  return {
    opens: () => out.split('\n').filter((l) => l.includes(`"${portLink}"`) || l.includes(`"${device}"`)),
    async stop() {
      strace.kill('SIGINT'); // strace detaches and leaves the process running
      await closed;
    },
  };
}

test('the preview a window had open comes back after a reload, connected by itself and playing', async () => {
  await first.waitForTimeout(3000); // the extension host starts
  await runCommand(first, 'K230: Open Live Preview'); // activates K230 Live: auto-connect to the remembered port
  await boardItem(first).filter({ hasText: /Simulated K230: streaming/ }).waitFor({ timeout: 20_000 });
  await waitFor(first, '30 decoded frames before the reload', async () => (await decodedInPreview(first)) >= 30);

  await first.reload();
  await first.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await previewFrame(first).locator('[data-testid=stats]').waitFor({ timeout: 30_000 });
  await waitFor(first, '30 decoded frames in the restored preview', async () => (await decodedInPreview(first)) >= 30, 30_000);
  assert.equal(await first.locator('.tab', { hasText: 'K230 Live Preview' }).count(), 1, 'one preview, restored');
});

test('a second window says the board is in use in the first, leaves its port alone, and takes it when the first lets go', async () => {
  const second = await vscode.openWindow(path.join(boardDir, 'second-workspace'));
  await second.waitForTimeout(3000);
  await runCommand(second, 'K230: Open Live Preview'); // activates K230 Live there too, auto-connect on
  await boardItem(second).filter({ hasText: /in another window/ }).waitFor({ timeout: 15_000 });

  const watch = watchOpens();
  try {
    await second.waitForTimeout(4000); // four of auto-connect's 1 s ticks
    const before = await decodedInPreview(first);
    await waitFor(first, 'the first window still playing', async () => (await decodedInPreview(first)) >= before + 30);

    await runCommand(second, 'K230: Connect');
    await second.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first().waitFor();
    await second.keyboard.press('Enter');
    await second.getByText(/is in use in another VS Code window: disconnect it there first/).first().waitFor({ timeout: 10_000 });
    await screenshot(second, 'second-window-in-use.png');
    assert.deepEqual(watch.opens(), [], 'the second window never opened the port while the first had it');

    await runCommand(first, 'K230: Disconnect');
    await boardItem(second).filter({ hasText: /Simulated K230: streaming/ }).waitFor({ timeout: 20_000 });
    assert.ok(watch.opens().length >= 1, 'strace saw the second window open the port once it was free');
  } finally {
    await watch.stop();
  }
  await waitFor(second, '30 decoded frames in the second window', async () => (await decodedInPreview(second)) >= 30);
  assert.deepEqual(portHolders().length, 1, 'the second window alone has the port now');
});
