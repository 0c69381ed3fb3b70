// A window killed with its simulated board running leaves the board's port link and card in the
// temp folder; the next board started sweeps those of extension hosts that no longer run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { simulatorPath, sweepLeftovers } from '../../src/extension/simulator-leftovers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k230-leftovers-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a gone window's link and card are swept; a running window's, and anything else, stay", () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
  fs.symlinkSync('/dev/pts/999', simulatorPath(dir, 'port', gone)); // dangling, as a killed board leaves it
  fs.mkdirSync(simulatorPath(dir, 'card', gone));
  fs.writeFileSync(path.join(simulatorPath(dir, 'card', gone), 'rec-1.mp4'), 'x');
  fs.symlinkSync('/dev/null', simulatorPath(dir, 'port'));
  fs.mkdirSync(simulatorPath(dir, 'card'));
  fs.mkdirSync(path.join(dir, 'k230live-demo-abc123'));

  const swept = sweepLeftovers(dir);
  assert.deepEqual(swept.sort(), [`k230live-sim-card-${gone}`, `k230live-sim-port-${gone}`]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['k230live-demo-abc123', `k230live-sim-card-${process.pid}`, `k230live-sim-port-${process.pid}`]);
});
