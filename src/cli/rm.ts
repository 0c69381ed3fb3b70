import { parseArgs } from 'node:util';
import { UserError } from '../shared/user-error';
import { withBoard } from './with-board';

export async function rmCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' }, json: { type: 'boolean' } } });
  const remote = positionals[0];
  if (!remote) throw new UserError('rm needs the board path of a file');
  await withBoard(values.port, (s) => s.deleteFile(remote));
  console.log(values.json ? JSON.stringify({ deleted: remote }) : `deleted ${remote}`);
  return 0;
}
