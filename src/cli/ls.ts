import { parseArgs } from 'node:util';
import { FileType } from '../protocol/messages';
import { formatBytes } from '../shared/format';
import { withBoard } from './with-board';

export async function lsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' }, json: { type: 'boolean' } } });
  const dir = positionals[0] ?? '/sdcard';
  const { entries, truncated } = await withBoard(values.port, (s) => s.list(dir));
  const rows = entries
    .map((e) => ({ name: e.name, type: e.fileType === FileType.Directory ? 'dir' : e.fileType === FileType.File ? 'file' : 'other', size: Number(e.size), mtimeMs: Number(e.mtimeMs) }))
    .sort((a, b) => (a.type === 'dir' ? 0 : 1) - (b.type === 'dir' ? 0 : 1) || a.name.localeCompare(b.name));
  if (values.json) {
    console.log(JSON.stringify({ path: dir, truncated, entries: rows }));
    return 0;
  }
  for (const r of rows) {
    const when = new Date(r.mtimeMs).toISOString().replace('T', ' ').slice(0, 19);
    console.log(`${r.type === 'dir' ? 'd' : r.type === 'file' ? '-' : '?'} ${(r.type === 'file' ? formatBytes(r.size) : '').padStart(9)}  ${when}  ${r.name}${r.type === 'dir' ? '/' : ''}`);
  }
  if (truncated) console.log('(more entries than one reply holds: listing cut short)');
  return 0;
}
