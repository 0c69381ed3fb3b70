// The main job: a simulated board on a PTY, with a card, and the extension connected to it in a real
// VS Code with the live preview playing, no command run: desktop `code` when there is one, else
// code-server on 127.0.0.1 (the URL is printed; K230LIVE_DEMO_PORT picks its port, 8230 by default).
//   tsx scripts/demo.ts [--code-server]     (--code-server: even where a desktop `code` is installed)
// Ctrl-C (or SIGTERM) stops everything it started and removes the board's folder.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { launchCodeServer, ROOT } from './code-server';
import { TEST_VSIX } from './package-files';

/** What the demo's card holds when it starts: something to see in Board Files. */
function makeCard(dir: string): void {
  fs.mkdirSync(dir);
  const readme = [
    "This is the simulated board's SD card: a folder on your PC,",
    `${dir},`,
    'removed when the demo stops.',
    '',
    "Record on Board (the circle in the Board Files view's title bar) records into it,",
    'and Pull to Workspace copies a file from it into recordings/ in your workspace.',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'README.txt'), readme);
}

/** What this run started, stopped last first: on Ctrl-C, SIGTERM, or a failure. */
const stops: (() => Promise<void> | void)[] = [];
let stopping = false;

async function stopAll(): Promise<void> {
  stopping = true;
  while (stops.length) await stops.pop()!();
}

async function main(): Promise<void> {
  const started = Date.now();
  const vsix = TEST_VSIX;
  const workspace = path.join(ROOT, 'demo-workspace');
  // The board's port and card, in a folder of this run's own: a second demo, or a test, has its own.
  const boardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230live-demo-'));
  const port = path.join(boardDir, 'port');
  makeCard(path.join(boardDir, 'sdcard'));
  fs.mkdirSync(workspace, { recursive: true });
  stops.push(() => fs.rmSync(boardDir, { recursive: true, force: true }));

  const board = await startSimulatedBoard({ ptyLink: port, sdcard: path.join(boardDir, 'sdcard'), build: false });
  stops.push(() => board.stop());
  board.process.once('exit', () => stopping || console.error('the simulated board exited'));
  console.log(`simulated board on ${port}, its card ${path.join(boardDir, 'sdcard')}`);
  const settings = {
    'k230live.port': port,
    'k230live.autoConnect': true,
    'k230live.previewOnAutoConnect': true,
    // demo-workspace lies inside this repository: no offer to open the repository around it
    'git.openRepositoryInParentFolders': 'never',
  };

  const codeServer = process.argv.includes('--code-server') || spawnSync('code', ['--version'], { stdio: 'ignore' }).status !== 0;
  if (!codeServer) {
    // A profile of its own: k230live.port is machine-scoped, so it lives in User settings (a
    // workspace's settings cannot set it), and the demo leaves the user's own settings alone.
    const profile = path.join(ROOT, 'demo-profile');
    const dirs = ['--user-data-dir', path.join(profile, 'data'), '--extensions-dir', path.join(profile, 'extensions')];
    fs.mkdirSync(path.join(profile, 'data', 'User'), { recursive: true });
    fs.writeFileSync(path.join(profile, 'data', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    execFileSync('code', [...dirs, '--install-extension', vsix, '--force'], { stdio: 'inherit' });
    execFileSync('code', [...dirs, '--new-window', workspace], { stdio: 'inherit' });
    console.log('VS Code is open on demo-workspace/: the board is connected and the live preview plays. Ctrl-C stops the board.');
  } else {
    const server = await launchCodeServer({ vsix, workspace, settings, port: Number(process.env.K230LIVE_DEMO_PORT ?? 8230) });
    stops.push(server.stop);
    console.log(`VS Code (code-server) with K230 Live, ready in ${((Date.now() - started) / 1000).toFixed(1)} s:\n\n    ${server.url}\n`);
    console.log('Open it in a browser: the board is connected and the live preview plays. Ctrl-C stops everything.');
  }
}

const stop = () => void stopAll().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
main().catch(async (e: Error) => {
  console.error(`demo: ${e.message}`);
  await stopAll();
  process.exit(1);
});
