// What a user looks at in the workbench, found as they would find it: the board's status bar item,
// the preview's webview and its counters, notifications; shared by the VS Code test files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { holdsWithin } from '../support/poll';
import { ROOT } from '../../scripts/code-server';

export const OUT = path.join(ROOT, 'test-output');

/** The board's status bar item. */
export function boardItem(page: Page): Locator {
  return page.locator('#status\\.k230live\\.board, [id="k230live.k230live.board"], .statusbar-item', { hasText: /K230|Simulated/ }).first();
}

/** The live preview's page inside its webview. */
export function previewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Frames the preview's player has decoded so far. */
export async function decodedInPreview(page: Page): Promise<number> {
  return Number((await previewFrame(page).locator('[data-testid=stats]').getAttribute('data-decoded')) ?? 0);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, name) });
}

/** Polls until check holds; on a timeout, a screenshot of what the user would have seen. */
export async function waitFor(page: Page, what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  if (await holdsWithin(check, timeoutMs, 250)) return;
  await screenshot(page, `timeout-${what.replace(/\W+/g, '-')}.png`);
  throw new Error(`timed out waiting for ${what}`);
}
