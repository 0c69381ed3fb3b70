import { parseArgs } from 'node:util';
import { UserError } from '../host/errors';
import type { BoardRecordingState, BoardSession } from '../host/session';
import { formatBytes } from '../shared/format';
import { withBoard } from './board';
import { fitSound } from '../host/sound';
import { SETTINGS_OPTIONS, settingsFromOptions } from './settings';

function describe(s: BoardRecordingState): string {
  const state = s.active ? 'recording' : 'not recording';
  const what = s.path ? ` ${s.path}: ${s.frames} frames, ${s.elapsedS.toFixed(1)} s, ${formatBytes(s.bytes)}, ${s.dropped} dropped` : '';
  return `${state}${what}${s.error ? ` (stopped: ${s.error})` : ''}`;
}

export async function boardRecordCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, ...SETTINGS_OPTIONS },
  });
  const action = positionals[0];
  if (action !== 'start' && action !== 'stop' && action !== 'status') throw new UserError('board-record needs start, stop or status');
  const settings = action === 'start' ? settingsFromOptions(values) : undefined;
  const start = (s: BoardSession) => {
    const fitted = fitSound(settings!, s.info!);
    if (fitted.notice) process.stderr.write(`k230live: ${fitted.notice}\n`);
    return s.startBoardRecording(values.out ?? '', fitted.settings);
  };
  const state = await withBoard(values.port, (s) =>
    action === 'start' ? start(s) : action === 'stop' ? s.stopBoardRecording() : s.boardRecordingStatus(),
  );
  console.log(values.json ? JSON.stringify(state) : describe(state));
  return 0;
}
