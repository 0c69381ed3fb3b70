// A simulated board's port link (--pty-link) goes when the board stops: one left behind names a
// pseudo-terminal the next program may be given (stopping the demo left two, issue 24).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { startSimulatedBoard } from '../../src/simulators/start-simulated-board';
import { waitFor } from '../support/poll';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-port-link-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Whether the path is there as a link, dangling or not. */
const linked = (p: string) => {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

for (const stock of [false, true]) {
  test(`the ${stock ? 'stock CanMV' : "agent's"} simulated board removes its port link when it stops`, async () => {
    const link = path.join(dir, stock ? 'stock-port' : 'agent-port');
    const board = await startSimulatedBoard({ stock, ptyLink: link, build: false });
    assert.ok(linked(link) && fs.existsSync(link), 'the link names the live port');
    await board.stop();
    await waitFor(() => !linked(link), 'the link gone', 5000);
  });
}

test('a link a newer board has taken is left to it', async () => {
  const link = path.join(dir, 'shared-port');
  const older = await startSimulatedBoard({ ptyLink: link, build: false });
  const newer = await startSimulatedBoard({ ptyLink: link, build: false });
  try {
    await older.stop();
    assert.ok(linked(link) && fs.existsSync(link), "the newer board's link stays");
  } finally {
    await newer.stop();
  }
  await waitFor(() => !linked(link), 'and goes with it', 5000);
});
