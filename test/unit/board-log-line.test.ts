// A simulated board's stderr in the extension's log: a normal Disconnect logged
// "[warning] agent: agent: the host hung up" (issue 24), the prefix twice and a warning for no fault.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boardLogLine } from '../../src/simulators/start-simulated-board';

test("the host gone is what the board does, not a fault, and its prefix is not repeated", () => {
  assert.deepEqual(boardLogLine('agent: the host hung up; the live stream stops\n'), { fault: false, text: 'the host hung up; the live stream stops' });
  assert.deepEqual(boardLogLine('agent: /dev/ttyUSB1 is back'), { fault: false, text: '/dev/ttyUSB1 is back' });
});

test('what went wrong on the board is a fault', () => {
  assert.deepEqual(boardLogLine('agent: FILE_LIST_REPLY lost: link write failed'), { fault: true, text: 'FILE_LIST_REPLY lost: link write failed' });
  assert.deepEqual(boardLogLine('k230-agent: cannot open /dev/ttyUSB1: No such file or directory'), { fault: true, text: 'cannot open /dev/ttyUSB1: No such file or directory' });
});
