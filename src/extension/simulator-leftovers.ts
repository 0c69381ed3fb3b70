// What a window's simulated board keeps in the temp folder (its port link, its card) is named for
// the window's extension host. A window that ended without stopping its board (its extension host
// killed: code-server stopped, a crash) leaves them behind: the next board started sweeps them.
import * as fs from 'node:fs';
import * as path from 'node:path';

const LEFTOVER = /^k230live-sim-(port|card)-(\d+)$/;

/** `<dir>/k230live-sim-<what>-<pid>`: the path of this extension host's own. */
export function simulatorPath(dir: string, what: 'port' | 'card', pid = process.pid): string {
  return path.join(dir, `k230live-sim-${what}-${pid}`);
}

/** Whether a process runs (a pid in use by anyone counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the links and cards in `dir` of extension hosts that no longer run; returns their names. */
export function sweepLeftovers(dir: string, alive: (pid: number) => boolean = processAlive): string[] {
  const swept = fs.readdirSync(dir).filter((name) => {
    const pid = Number(LEFTOVER.exec(name)?.[2]);
    return pid > 0 && !alive(pid);
  });
  for (const name of swept) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  return swept;
}
