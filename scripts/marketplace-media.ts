// The Marketplace page's media, made from the real extension: a simulated board, code-server with
// the packaged .vsix, Debian's Chromium driven as the code-server test drives it.
//   media/marketplace/preview.png  the live preview, with a recording in the Explorer
//   media/marketplace/preview.gif  ~3 s of the preview: Ctrl+Alt+R starts a recording
//   media/icon.png                 rendered from media/icon.svg
// Run after `npm run -s build && npm run -s package`:
//   npx tsx scripts/marketplace-media.ts [--icon | --preview] [--vsix FILE]
// (both by default). Everything it starts is stopped when it ends, whether it succeeded or not.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startSimulatedBoard, type SimulatedBoard } from '../src/simulators/start-simulated-board';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { TEST_VSIX } from './package-files';
import { type CodeServer, ROOT, runCommand, startCodeServer } from './code-server';

const MEDIA = path.join(ROOT, 'media');
const OUT = path.join(MEDIA, 'marketplace');
const ICON_SIZE = 256;
const GIF = { seconds: 3.6, recordAt: 0.8, fps: 10, width: 800, maxBytes: 2 * 1024 * 1024, minPlayedFps: 24, liveEdgeMs: 60 };

// What this run started, stopped once: when it ends, fails, or gets SIGINT/SIGTERM. A signal
// that comes while something is starting is acted on once it has started; if Playwright exits
// the process first (its own Ctrl-C handler, during a launch), the sweep at exit below remains.
const stops: (() => Promise<void> | void)[] = [];
let stopping: Promise<void> | undefined;
let starting = 0;
let interrupted = false;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    while (stops.length) await Promise.resolve().then(stops.pop()).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  })();
  return stopping;
}

function exitIfInterrupted(): void {
  if (interrupted && starting === 0) void stopAll().then(() => process.exit(130));
}

function onSignal(): void {
  interrupted = true;
  setTimeout(() => process.exit(130), 30_000).unref(); // a cleanup that hangs
  exitIfInterrupted();
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

/** This process's children now (Linux: /proc/PID/stat, whose 4th field, after the ")", is the parent). */
function children(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid ? [Number(d)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/** Folders of this run, removed at exit whatever happened. */
const workDirs: string[] = [];

// The last resort, at exit: a child still running (a code-server whose helper failed half-way,
// a browser Playwright left) is killed, with its process group when it leads one; then the
// run's folders go.
process.on('exit', () => {
  for (const pid of children()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  for (const dir of workDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts something and registers how to stop it. Playwright, once it has a browser, exits the
 * process on Ctrl-C as soon as its browsers are closed, before code-server and the board are
 * stopped: the signals are left to onSignal, whose stops close the browsers too.
 */
async function start<T>(launch: () => Promise<T>, stop: (t: T) => Promise<void> | void): Promise<T> {
  starting++;
  try {
    const t = await launch();
    stops.push(() => stop(t));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) if (listener !== onSignal) process.off(signal, listener as () => void);
    }
    if (interrupted) throw new Error('interrupted');
    return t;
  } finally {
    starting--;
    exitIfInterrupted();
  }
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The .vsix the code-server tests install (this machine's package), unless --vsix names another. */
function findVsix(): string {
  const vsix = path.resolve(argument('--vsix') ?? TEST_VSIX);
  if (!fs.existsSync(vsix)) throw new Error(`no ${path.relative(ROOT, vsix)}: run \`npm run -s build && npm run -s package\` first, or pass --vsix FILE`);
  return vsix;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function kib(file: string): string {
  return `${(fs.statSync(file).size / 1024).toFixed(0)} KiB`;
}

/** media/icon.svg drawn by Chromium at its own size, on a transparent background. */
async function renderIcon(): Promise<void> {
  const svg = fs.readFileSync(path.join(MEDIA, 'icon.svg'), 'utf8');
  const browser = await start(() => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }), (b) => b.close());
  const page = await browser.newPage({ viewport: { width: ICON_SIZE, height: ICON_SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><body style="margin:0;background:transparent">${svg}</body>`);
  const file = path.join(MEDIA, 'icon.png');
  await page.locator('svg').screenshot({ path: file, omitBackground: true });
  await browser.close();
  console.log(`${path.relative(ROOT, file)}: ${ICON_SIZE}x${ICON_SIZE}, ${kib(file)}`);
}

interface Frame {
  jpeg: Buffer;
  /** seconds, the compositor's clock */
  at: number;
}

/**
 * The page as Chromium paints it (its screencast) until stop(): every second frame it composites,
 * scaled down to the GIF's width by Chromium, so that the capture takes little from the preview.
 */
async function captureScreencast(page: Page): Promise<{ stop(): Promise<Frame[]> }> {
  const cdp = await page.context().newCDPSession(page);
  const frames: Frame[] = [];
  cdp.on('Page.screencastFrame', (f) => {
    frames.push({ jpeg: Buffer.from(f.data, 'base64'), at: f.metadata.timestamp ?? Date.now() / 1000 });
    void cdp.send('Page.screencastFrameAck', { sessionId: f.sessionId }).catch(() => undefined);
  });
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 92, maxWidth: GIF.width, maxHeight: GIF.width, everyNthFrame: 2 });
  return {
    async stop() {
      await cdp.send('Page.stopScreencast');
      await cdp.detach();
      return frames;
    },
  };
}

/** The frames, each shown for as long as it was on screen, as a small looping GIF. */
function writeGif(frames: Frame[], file: string, work: string): void {
  const dir = fs.mkdtempSync(path.join(work, 'frames-'));
  const list: string[] = [];
  frames.forEach((f, i) => {
    const name = path.join(dir, `${String(i).padStart(4, '0')}.jpg`);
    fs.writeFileSync(name, f.jpeg);
    const next = frames[i + 1]?.at ?? f.at + 1 / GIF.fps;
    list.push(`file '${name}'`, `duration ${Math.max(next - f.at, 0.001).toFixed(4)}`);
  });
  list.push(`file '${path.join(dir, `${String(frames.length - 1).padStart(4, '0')}.jpg`)}'`); // the concat demuxer's last duration needs it
  const listFile = path.join(dir, 'frames.txt');
  fs.writeFileSync(listFile, list.join('\n') + '\n');
  const filters = [
    `fps=${GIF.fps}`,
    `scale=${GIF.width}:-2:flags=lanczos`, // (Chromium sent them at about this width already)
    'split[a][b]',
    '[a]palettegen=max_colors=128:stats_mode=diff[p]',
    '[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle',
  ];
  execFileSync('ffmpeg', ['-y', '-nostdin', '-v', 'error', '-f', 'concat', '-safe', '0', '-i', listFile, '-filter_complex', filters.slice(0, 3).join(',') + ';' + filters.slice(3).join(';'), '-loop', '0', file]);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function makePreviewMedia(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-media-'));
  workDirs.push(work);
  // A copy, checked whole: a `npm run package` running meanwhile rewrites dist/.
  const vsix = path.join(work, path.basename(findVsix()));
  fs.copyFileSync(findVsix(), vsix);
  execFileSync('unzip', ['-tq', vsix], { stdio: 'ignore' });
  const portLink = path.join(work, 'port');
  const sdcard = path.join(work, 'sdcard');
  fs.mkdirSync(sdcard);

  await start(() => startSimulatedBoard({ ptyLink: portLink, sdcard }), (board: SimulatedBoard) => board.stop());
  const vscode = await start(() => startCodeServer(vsix, {
    'k230live.port': portLink,
    'k230live.autoConnect': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'k230live.share.rtspPort': 0,
    'k230live.share.httpPort': 0,
  }), (v: CodeServer) => v.close());
  const page = vscode.page;
  stops.push(async () => {
    if (process.exitCode !== 1) return;
    const shot = path.join(os.tmpdir(), 'k230-marketplace-media-failure.png'); // what the page showed when it failed
    await page.screenshot({ path: shot }).then(() => console.error(`marketplace-media: the page at the failure: ${shot}`));
  });
  const preview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const stats = preview.locator('[data-testid=stats]');
  const decoded = async () => Number((await stats.getAttribute('data-decoded')) ?? 0);
  /** The decoded count as the overlay's next once-a-second update gives it, and when. */
  const decodedAtUpdate = async () => {
    const before = await decoded();
    let now = before;
    while (now === before) {
      await page.waitForTimeout(20);
      now = await decoded();
    }
    return { frames: now, at: Date.now() };
  };
  const status = (text: RegExp) => page.locator('.statusbar-item', { hasText: text }).first();

  await page.waitForTimeout(3000); // the extension host starts
  await runCommand(page, 'K230: Connect');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: portLink }).first().waitFor();
  await page.keyboard.press('Enter');
  await status(/Simulated K230: connected/).waitFor({ timeout: 15_000 });
  await runCommand(page, 'K230: Open Live Preview');
  await stats.waitFor({ timeout: 20_000 });
  await waitUntil('90 decoded frames in the preview', async () => (await decoded()) >= 90);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.tab', { hasText: 'K230 Live Preview' }).first().click(); // keys go to the workbench
  await page.mouse.move(900, 500); // over the picture: no tooltip
  await page.waitForTimeout(1000);

  // The GIF: the preview playing, then Ctrl+Alt+R, then the recording's time in the status bar.
  const playedFrom = await decodedAtUpdate();
  const screencast = await captureScreencast(page);
  await page.waitForTimeout(GIF.recordAt * 1000);
  await page.keyboard.press('Control+Alt+R');
  await page.waitForTimeout((GIF.seconds - GIF.recordAt) * 1000);
  const frames = await screencast.stop();
  const playedTo = await decodedAtUpdate();
  const playedFps = (playedTo.frames - playedFrom.frames) / ((playedTo.at - playedFrom.at) / 1000);
  if (frames.length < GIF.seconds * GIF.fps * 0.5) throw new Error(`only ${frames.length} frames painted in ${GIF.seconds} s`);
  await page.getByRole('button', { name: /Stop Recording/ }).first().waitFor({ timeout: 2000 }); // the shortcut did start it
  const gif = path.join(work, 'preview.gif');
  writeGif(frames, gif, work);

  // The screenshot: the recording stopped and in the Explorer, and a fresh preview (its stats
  // counted without the capture above) playing at the live edge.
  await page.keyboard.press('Control+Alt+R');
  await page.getByRole('button', { name: /Start Recording/ }).first().waitFor({ timeout: 10_000 });
  const recordings = path.join(vscode.workspace, 'recordings');
  await waitUntil('the recording in the workspace', async () => fs.existsSync(recordings) && fs.readdirSync(recordings).some((f) => f.endsWith('.mp4')));
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'K230: Open Live Preview');
  await status(/Simulated K230: streaming/).waitFor({ timeout: 10_000 });
  await waitUntil('150 decoded frames in the new preview', async () => (await decoded()) >= 150);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(900, 500);
  // The overlay's latency (its p50 of the last second) as it usually is here, not in a hiccup.
  const latency = async () => Number((await stats.getAttribute('data-latency-p50')) || Infinity);
  const seen: number[] = [];
  await waitUntil('the preview at the live edge', async () => (seen.push(await latency()), seen.at(-1)! <= GIF.liveEdgeMs), 20_000).catch(() =>
    console.warn(`marketplace-media: the preview's latency stayed above ${GIF.liveEdgeMs} ms (${seen.join(' ')})`),
  );
  const png = path.join(work, 'preview.png');
  await page.screenshot({ path: png });
  console.log(`preview.png: the overlay said ${await latency()} ms (seen while waiting: ${[...new Set(seen)].join(' ')})`);

  const size = fs.statSync(gif).size;
  console.log(`preview.gif: ${frames.length} frames painted in ${GIF.seconds} s, ${GIF.fps} fps, ${GIF.width} px wide, ${kib(gif)}; the preview decoded ${playedFps.toFixed(1)} fps meanwhile`);
  // A GIF of a preview that stuttered (a busy machine) shows the stutter: make it again when quiet.
  if (playedFps < GIF.minPlayedFps) throw new Error(`the preview decoded only ${playedFps.toFixed(1)} fps while the GIF was captured: run again on a quieter machine`);
  if (size > GIF.maxBytes) throw new Error(`${path.basename(gif)} is ${kib(gif)}, over ${GIF.maxBytes / 1024} KiB`);
  fs.mkdirSync(OUT, { recursive: true });
  for (const made of [png, gif]) {
    fs.copyFileSync(made, path.join(OUT, path.basename(made)));
    console.log(`${path.relative(ROOT, path.join(OUT, path.basename(made)))}: ${kib(made)}`);
  }
}

async function main(): Promise<void> {
  const icon = !process.argv.includes('--preview');
  const previewMedia = !process.argv.includes('--icon');
  if (icon) await renderIcon();
  if (previewMedia) await makePreviewMedia();
}

main()
  .catch((e: Error) => {
    console.error(`marketplace-media: ${e.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
