import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { pushFile } from '../host/files/push-file';
import { formatBytes } from '../shared/format';
import { UserError } from '../shared/user-error';
import { progressBar } from './progress';
import { withBoard } from './with-board';

export async function pushCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' }, json: { type: 'boolean' } } });
  const [local, remoteArg] = positionals;
  if (!local) throw new UserError('push needs a local file, e.g. k230live push --port PATH main.py /sdcard/main.py');
  // REMOTE ending in / (or none): the file keeps its name in that folder of the card.
  const folder = remoteArg === undefined ? '/sdcard/' : remoteArg.endsWith('/') ? remoteArg : undefined;
  const remote = folder ? `${folder}${path.basename(local)}` : remoteArg!;
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const bar = progressBar(path.basename(local));
  const r = await withBoard(values.port, (s) =>
    pushFile(s, local, remote, { signal: abort.signal, onProgress: (p) => bar.update(p.bytes, p.total, p.rateBps) }),
  ).finally(() => bar.end());
  if (values.json) {
    console.log(JSON.stringify(r));
  } else {
    const resumed = r.resumedFrom ? `, resumed from ${formatBytes(r.resumedFrom)}` : '';
    console.log(`${r.remote}: ${r.bytes} bytes in ${r.seconds.toFixed(2)} s (${formatBytes((r.bytes - r.resumedFrom) / Math.max(r.seconds, 1e-3))}/s${resumed}), sha256 ${r.sha256} verified`);
  }
  return 0;
}
