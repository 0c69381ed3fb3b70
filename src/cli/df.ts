import { parseArgs } from 'node:util';
import { formatBytes } from '../shared/format';
import { withBoard } from './with-board';

export async function dfCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, json: { type: 'boolean' } } });
  const space = await withBoard(values.port, (s) => s.storageInfo());
  if (values.json) console.log(JSON.stringify(space));
  else console.log(`/sdcard: ${formatBytes(space.available)} free of ${formatBytes(space.total)} (${Math.round((100 * (space.total - space.available)) / Math.max(space.total, 1))}% used)`);
  return 0;
}
