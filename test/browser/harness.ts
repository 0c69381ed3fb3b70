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
import type { FrameTiming } from '../../src/webview/player';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium';

export interface PageResults {
  stats: PlayerStats;
  latencies: number[];
  timings: FrameTiming[];
  firstFrameAtMs: number | undefined;
}

export interface ChromiumPage {
  page: Page;
  /** Posts a panel message into the page, binary fields as Uint8Array, in order. */
  deliver(message: ToWebviewMessage): void;
  results(): Promise<PageResults>;
  /**
   * From the next stream on, the player finds only this path's API in the page (the other's is
   * hidden, as in a webview without it); undefined: both, as the webview has them. One page for
   * both paths: the same compositor, whose refresh the frames wait for.
   */
  onlyPath(path: 'mse' | 'webcodecs' | undefined): Promise<void>;
  close(): Promise<void>;
}

export interface PageOptions {
  /** remove MediaSource from the page, as in a webview whose build lacks it: only WebCodecs can play */
  withoutMediaSource?: boolean;
  /** remove VideoDecoder from the page, as in a webview without WebCodecs: MediaSource must take over */
  withoutWebCodecs?: boolean;
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
  // The panel's messages reach the page over one streamed response, binary fields as bytes (the
  // webview's postMessage is a structured copy, not text): page-main.ts reads it and posts each.
  let feed: http.ServerResponse | undefined;
  let fed!: () => void;
  const feedOpen = new Promise<void>((resolve) => (fed = resolve));
  const server = http.createServer((req, res) => {
    if (req.url === '/feed') {
      req.socket.setNoDelay(true);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
      res.flushHeaders();
      feed = res;
      return fed();
    }
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
  if (options.withoutWebCodecs) {
    await context.addInitScript(() => {
      delete (window as { VideoDecoder?: unknown }).VideoDecoder;
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => window.outbox.some((m: FromWebviewMessage) => m.type === 'ready'));
  await feedOpen;
  return {
    page,
    deliver(message) {
      if (!feed || feed.destroyed) return;
      const { data, ...rest } = message as ToWebviewMessage & { data?: Uint8Array };
      // [u32 header length][header, JSON][u32 data length, or 0xffffffff: none][data]
      const header = Buffer.from(JSON.stringify(rest));
      const lengths = Buffer.alloc(8);
      lengths.writeUInt32LE(header.length, 0);
      lengths.writeUInt32LE(data ? data.byteLength : 0xffffffff, 4);
      feed.write(Buffer.concat([lengths.subarray(0, 4), header, lengths.subarray(4), ...(data ? [data] : [])]));
    },
    async results() {
      return page.evaluate(() => {
        const stats = window.outbox.filter((m) => m.type === 'stats').at(-1) as { stats: PlayerStats } | undefined;
        return { stats: stats!.stats, latencies: window.latencies, timings: window.timings, firstFrameAtMs: window.firstFrameAtMs };
      });
    },
    async onlyPath(path) {
      await page.evaluate((only) => {
        const w = window as unknown as Record<string, unknown> & { k230Apis?: Record<string, unknown> };
        w.k230Apis ??= { MediaSource: w.MediaSource, VideoDecoder: w.VideoDecoder };
        for (const [name, api] of Object.entries(w.k230Apis)) {
          if (api === undefined) continue;
          if (only === undefined || name === (only === 'mse' ? 'MediaSource' : 'VideoDecoder')) w[name] = api;
          else delete w[name];
        }
      }, path);
    },
    async close() {
      feed?.end();
      await context.close();
      server.closeAllConnections();
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
