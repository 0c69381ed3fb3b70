import { parseArgs } from 'node:util';
import { UserError } from '../shared/user-error';
import type { BoardRecordingState, BoardSession } from '../host/session/board-session';
import { formatBytes } from '../shared/format';
import { withBoard } from './with-board';
import { fitSound } from '../host/session/sound-fit';
import { SETTINGS_OPTIONS, settingsFromOptions } from './stream-options';

function describe(s: BoardRecordingState): string {
  const state = s.active ? 'recording' : 'not recording';
  const what = s.path ? ` ${s.path}: ${s.frames} frames, ${s.elapsedS.toFixed(1)} s, ${formatBytes(s.bytes)}, ${s.dropped} dropped` : '';
  return `${state}${what}${s.error || s.ended ? ` (stopped: ${s.error ?? s.ended})` : ''}`;
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
