// Serves the player page on 127.0.0.1 and opens it in headless Chromium (Debian's /usr/bin/chromium).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ClockOffset } from '../../src/host/session/clock-sync';
import { PreviewFeed } from '../../src/host/live/preview-feed';
import type { BoardSession } from '../../src/host/session/board-session';
import type { FromWebviewMessage, PlayerStats, ToWebviewMessage } from '../../src/shared/panel';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium';

export interface PageResults {
  stats: PlayerStats;
  latencies: number[];
  firstFrameAtMs: number | undefined;
}

export interface ChromiumPage {
  page: Page;
  /** Posts a panel message into the page, binary fields as Uint8Array, in order. */
  deliver(message: ToWebviewMessage): void;
  results(): Promise<PageResults>;
  close(): Promise<void>;
}

export interface PageOptions {
  /** remove MediaSource from the page, as in a webview whose build lacks it: WebCodecs must take over */
  withoutMediaSource?: boolean;
}

export async function openPlayerPage(options: PageOptions = {}): Promise<ChromiumPage> {
  const root = path.join(__dirname, '..', '..');
  const built = await esbuild.build({
    entryPoints: [path.join(__dirname, 'page-main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  });
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html', fs.readFileSync(path.join(__dirname, 'page.html'))],
    '/page.js': ['text/javascript', built.outputFiles[0].contents],
    '/preview.css': ['text/css', fs.readFileSync(path.join(root, 'media', 'preview.css'))],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  if (options.withoutMediaSource) {
    await context.addInitScript(() => {
      delete (window as { MediaSource?: unknown }).MediaSource;
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => window.outbox.some((m: FromWebviewMessage) => m.type === 'ready'));
  return {
    page,
    deliver(message) {
      const { data, ...rest } = message as ToWebviewMessage & { data?: Uint8Array };
      const b64 = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') : undefined;
      page
        .evaluate(
          ([m, encoded]) => {
            const bytes = encoded === undefined ? undefined : Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            window.postMessage(bytes ? { ...m, data: bytes } : m, '*');
          },
          [rest, b64] as const,
        )
        .catch(() => undefined);
    },
    async results() {
      return page.evaluate(() => {
        const stats = window.outbox.filter((m) => m.type === 'stats').at(-1) as { stats: PlayerStats } | undefined;
        return { stats: stats!.stats, latencies: window.latencies, firstFrameAtMs: window.firstFrameAtMs };
      });
    },
    async close() {
      await context.close();
      server.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface FeedOptions {
  /** false: pictures only, the sound left out (as the player test and the latency bench measure) */
  sound?: boolean;
}

/** Feeds the page from a session as the extension's preview panel does (the same PreviewFeed). Returns the detach. */
export function feedPage(page: ChromiumPage, session: BoardSession, clock: ClockOffset, { sound = true }: FeedOptions = {}): () => void {
  const feed = new PreviewFeed(session, clock, (m) => (sound || m.type !== 'sound') && page.deliver(m));
  return () => feed.close();
}
