// The main job: a simulated board on a PTY, and the extension connected to it in a real VS Code:
// desktop `code` when there is one, else code-server on 127.0.0.1 (the URL is printed).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSimulatedBoard } from '../src/simulators/start-simulated-board';
import { launchCodeServer, ROOT } from './code-server';
import { TEST_VSIX } from './package-files';

async function main(): Promise<void> {
  const vsix = TEST_VSIX;
  const workspace = path.join(ROOT, 'demo-workspace');
  const port = path.join(os.tmpdir(), 'k230live-demo-port');
  fs.mkdirSync(workspace, { recursive: true });
  const board = await startSimulatedBoard({ ptyLink: port, build: false });
  console.log(`simulated board on ${port}`);
  const settings = { 'k230live.port': port, 'k230live.autoConnect': true };

  const stops: (() => Promise<void>)[] = [() => board.stop()];
  const hasDesktopCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
  if (hasDesktopCode) {
    // A profile of its own: k230live.port is machine-scoped, so it lives in User settings (a
    // workspace's settings cannot set it), and the demo leaves the user's own settings alone.
    const profile = path.join(ROOT, 'demo-profile');
    const dirs = ['--user-data-dir', path.join(profile, 'data'), '--extensions-dir', path.join(profile, 'extensions')];
    fs.mkdirSync(path.join(profile, 'data', 'User'), { recursive: true });
    fs.writeFileSync(path.join(profile, 'data', 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    execFileSync('code', [...dirs, '--install-extension', vsix, '--force'], { stdio: 'inherit' });
    execFileSync('code', [...dirs, '--new-window', workspace], { stdio: 'inherit' });
    console.log('VS Code is open on demo-workspace/; run "K230: Open Live Preview". Ctrl-C stops the board.');
  } else {
    const port = Number(process.env.K230LIVE_DEMO_PORT ?? 8230);
    const server = await launchCodeServer({ vsix, workspace, settings, port });
    stops.push(server.stop);
    console.log(`VS Code (code-server) with K230 Live, connected to the simulated board:\n\n    ${server.url}\n`);
    console.log('Open it in a browser and run "K230: Open Live Preview" (F1). Ctrl-C stops everything.');
  }
  const stop = () => void Promise.all(stops.map((s) => s())).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  board.process.once('exit', () => {
    console.error('the simulated board exited');
  });
}

main().catch((e: Error) => {
  console.error(`demo: ${e.message}`);
  process.exit(1);
});
