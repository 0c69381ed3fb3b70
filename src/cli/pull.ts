import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../shared/user-error';
import { pathInside, safeLocalName } from '../host/files/local-names';
import { pullFile } from '../host/files/pull-file';
import { formatBytes } from '../shared/format';
import { withBoard } from './with-board';
import { progressBar } from './progress';

export async function pullCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' }, json: { type: 'boolean' } } });
  const [remote, local] = positionals;
  if (!remote) throw new UserError('pull needs the board path of a file, e.g. /sdcard/rec.mp4');
  // LOCAL is the user's choice; without it, or when it is a folder, the name comes from the board: sanitised.
  const target = !local || (fs.existsSync(local) && fs.statSync(local).isDirectory())
    ? pathInside(local ?? '.', safeLocalName(remote))
    : path.resolve(local);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const bar = progressBar(path.basename(target));
  const r = await withBoard(values.port, (s) =>
    pullFile(s, remote, target, { signal: abort.signal, onProgress: (p) => bar.update(p.bytes, p.total, p.rateBps, p.etaS) }),
  ).finally(() => bar.end());
  if (values.json) {
    console.log(JSON.stringify(r));
  } else {
    const resumed = r.resumedFrom ? `, resumed from ${formatBytes(r.resumedFrom)}` : '';
    console.log(`${r.path}: ${r.bytes} bytes in ${r.seconds.toFixed(2)} s (${formatBytes((r.bytes - r.resumedFrom) / r.seconds)}/s${resumed}), sha256 ${r.sha256} verified`);
  }
  return 0;
}
