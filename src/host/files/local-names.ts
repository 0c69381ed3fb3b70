// Names that come from the board are never trusted as local paths: this turns one into a plain
// file name, and checks that the path made from it stays in the chosen folder.
import * as path from 'node:path';
import { UserError } from '../../shared/user-error';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/** A file name safe on Linux, macOS and Windows, from the last part of a board path. */
export function safeLocalName(boardPath: string): string {
  const last = boardPath.split(/[\\/]/).filter(Boolean).pop() ?? '';
  let name = last
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  if (name.length > 200) {
    const ext = path.extname(name).slice(0, 16);
    name = name.slice(0, 200 - ext.length) + ext;
  }
  return name || 'file';
}

/** The path of `name` inside `folder`, refusing anything that would land elsewhere. */
export function pathInside(folder: string, name: string): string {
  const root = path.resolve(folder);
  const target = path.resolve(root, name);
  if (path.dirname(target) !== root) throw new UserError(`refusing to write ${name} outside ${root}`);
  return target;
}

/** A free name in the folder: "a.mp4", then "a (1).mp4", "a (2).mp4", ... */
export function freeName(exists: (name: string) => boolean, name: string): string {
  if (!exists(name)) return name;
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!exists(candidate)) return candidate;
  }
}
