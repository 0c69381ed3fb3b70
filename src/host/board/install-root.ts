import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../shared/user-error';

/** The project folder that holds device-agent/, found from wherever this code was bundled to. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    // the project (device-agent/Makefile) or the installed extension (no sources, the MicroPython agent)
    if (fs.existsSync(path.join(dir, 'device-agent', 'micropython', 'agent.py'))) return dir;
    if (path.dirname(dir) === dir) throw new UserError('cannot find the device-agent folder of this installation');
  }
}
