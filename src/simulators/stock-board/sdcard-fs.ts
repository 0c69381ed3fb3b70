// The simulated board's /sdcard inside the MicroPython VM: an Emscripten file system over a folder
// of the PC, with Node's synchronous fs calls (this build of the VM has MEMFS only). Like the card's
// FAT, it has files and folders and nothing else: a symlink in the folder is listed, never followed.
import * as fs from 'node:fs';
import * as path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS is untyped */
type EmFs = any;
type Node = any;
type Stream = any;

const ERRNO: Record<string, number> = { ENOENT: 44, EEXIST: 20, ENOTDIR: 54, EISDIR: 31, ENOTEMPTY: 55, ENOSPC: 51, EACCES: 2, EINVAL: 28, EIO: 29 };

export function sdcardFs(FS: EmFs, root: string) {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new FS.ErrnoError(ERRNO[code] ?? 29);
  };
  const realPath = (node: Node): string => {
    const parts: string[] = [];
    while (node.parent !== node) {
      parts.push(node.name);
      node = node.parent;
    }
    return path.join(root, ...parts.reverse());
  };
  const modeOf = (st: fs.Stats) => (st.isDirectory() ? 0o40777 : st.isFile() ? 0o100666 : 0o20666); // other: a char device
  const make = (parent: Node, name: string, mode: number): Node => {
    const node = FS.createNode(parent, name, mode, 0);
    node.node_ops = nodeOps;
    node.stream_ops = streamOps;
    return node;
  };
  const nodeOps = {
    getattr(node: Node) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(realPath(node));
      } catch (e) {
        return fail(e);
      }
      return {
        dev: 1, ino: st.ino, mode: modeOf(st), nlink: 1, uid: 0, gid: 0, rdev: 0, size: st.isFile() ? st.size : 0,
        atime: st.atime, mtime: st.mtime, ctime: st.ctime, blksize: 4096, blocks: Math.ceil(st.size / 4096),
      };
    },
    setattr(node: Node, attr: { size?: number; mtime?: number }) {
      try {
        if (attr.size !== undefined) fs.truncateSync(realPath(node), attr.size);
      } catch (e) {
        fail(e);
      }
    },
    lookup(parent: Node, name: string) {
      try {
        return make(parent, name, modeOf(fs.lstatSync(path.join(realPath(parent), name))));
      } catch (e) {
        return fail(e);
      }
    },
    mknod(parent: Node, name: string, mode: number) {
      const p = path.join(realPath(parent), name);
      try {
        if (FS.isDir(mode)) fs.mkdirSync(p);
        else fs.writeFileSync(p, '', { flag: 'wx' });
      } catch (e) {
        fail(e);
      }
      return make(parent, name, FS.isDir(mode) ? 0o40777 : 0o100666);
    },
    rename(oldNode: Node, newDir: Node, newName: string) {
      try {
        fs.renameSync(realPath(oldNode), path.join(realPath(newDir), newName));
      } catch (e) {
        fail(e);
      }
      oldNode.name = newName;
    },
    unlink(parent: Node, name: string) {
      try {
        fs.unlinkSync(path.join(realPath(parent), name));
      } catch (e) {
        fail(e);
      }
    },
    rmdir(parent: Node, name: string) {
      try {
        fs.rmdirSync(path.join(realPath(parent), name));
      } catch (e) {
        fail(e);
      }
    },
    readdir(node: Node) {
      try {
        return ['.', '..', ...fs.readdirSync(realPath(node))];
      } catch (e) {
        return fail(e);
      }
    },
    statfs() {
      const s = fs.statfsSync(root);
      return { bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
    },
  };
  const streamOps = {
    open(stream: Stream) {
      if (!FS.isFile(stream.node.mode)) return;
      try {
        stream.nfd = fs.openSync(realPath(stream.node), (stream.flags & 3) === 0 ? 'r' : 'r+');
      } catch (e) {
        fail(e);
      }
    },
    close(stream: Stream) {
      if (stream.nfd !== undefined) fs.closeSync(stream.nfd);
    },
    read(stream: Stream, buffer: Uint8Array, offset: number, length: number, position: number) {
      try {
        return fs.readSync(stream.nfd, buffer, offset, length, position);
      } catch (e) {
        return fail(e);
      }
    },
    write(stream: Stream, buffer: Uint8Array, offset: number, length: number, position: number) {
      try {
        return fs.writeSync(stream.nfd, buffer, offset, length, position);
      } catch (e) {
        return fail(e);
      }
    },
    llseek(stream: Stream, offset: number, whence: number) {
      let position = offset;
      if (whence === 1) position += stream.position;
      else if (whence === 2 && FS.isFile(stream.node.mode)) position += fs.fstatSync(stream.nfd).size;
      if (position < 0) throw new FS.ErrnoError(28);
      return position;
    },
    fsync(stream: Stream) {
      if (stream.nfd !== undefined) fs.fdatasyncSync(stream.nfd);
    },
  };
  return { mount: () => make(null, '/', 0o40777) };
}
