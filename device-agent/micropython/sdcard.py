# The file service on /sdcard, and nowhere else (the C twins: device-agent/src/files.c, storage.c):
# list, stat, read, write, rename, make a folder, checksum and delete, each failure a typed error.
import errno
import hashlib
import os

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import (E_BAD_REQUEST, E_EXISTS, E_IO, E_NO_SPACE, E_NOT_A_FILE, E_NOT_FOUND, E_OUTSIDE_ROOT, T_DIR,
                      T_FILE, T_OTHER)

STORAGE_ROOT = '/sdcard'
FILE_READ_MAX = 256 * 1024
LIST_REPLY_MAX = 512 * 1024


class Failure(Exception):
    """A request that failed: the ERROR reply's code and message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def board_path(path):
    """The board path for a request's path, or None when it leaves /sdcard."""
    if path.startswith('/'):
        if path != STORAGE_ROOT and not path.startswith(STORAGE_ROOT + '/'):
            return None
        rest = path[len(STORAGE_ROOT):]
    else:
        rest = '/' + path
    parts = [p for p in rest.split('/') if p and p != '.']
    if '..' in parts:
        return None
    return '/'.join([STORAGE_ROOT] + parts)


def stat_of(path):
    st = os.stat(path)
    kind = T_DIR if st[0] & 0x4000 else T_FILE if st[0] & 0x8000 else T_OTHER
    return kind, st[6], st[8] * 1000


def os_failure(e, what):
    code = e.args[0] if e.args else 0
    if code == errno.ENOENT:
        return Failure(E_NOT_FOUND, '%s: no such file or folder' % what)
    if code == getattr(errno, 'ENOSPC', 28):
        return Failure(E_NO_SPACE, '%s: the card is full' % what)
    return Failure(E_IO, '%s: %s' % (what, e))


def resolve(path):
    p = board_path(path)
    if p is None:
        raise Failure(E_OUTSIDE_ROOT, '%s is outside %s' % (path, STORAGE_ROOT))
    return p


def regular_file(path):
    p = resolve(path)
    try:
        kind, size, mtime = stat_of(p)
    except OSError as e:
        raise os_failure(e, path)
    if kind != T_FILE:
        raise Failure(E_NOT_A_FILE, '%s is not a file' % path)
    return p, size


def space():
    """(total, available) bytes of the card."""
    v = os.statvfs(STORAGE_ROOT)
    return v[1] * v[2], v[1] * v[4]


def list_folder(path):
    """(truncated, entries) of a folder, by name, as much as one reply holds."""
    p = resolve(path)
    try:
        names = sorted(e[0] for e in os.ilistdir(p))
    except OSError as e:
        raise os_failure(e, path)
    entries, size = [], 0
    for name in names:
        try:
            kind, length, mtime = stat_of(p + '/' + name)
        except OSError:
            kind, length, mtime = T_OTHER, 0, 0
        size += 19 + len(name)
        if size > LIST_REPLY_MAX:
            return 1, entries
        entries.append({'file_type': kind, 'size': length, 'mtime_ms': mtime, 'name': name})
    return 0, entries


def file_stat(path):
    try:
        return stat_of(resolve(path))
    except OSError as e:
        raise os_failure(e, path)


def read_file(path, offset, length):
    p, size = regular_file(path)
    n = min(length, FILE_READ_MAX, max(0, size - offset))
    if not n:
        return b''
    with open(p, 'rb') as f:
        f.seek(offset)
        return f.read(n)


def write_file(path, offset, data):
    """Offset 0 creates the file (or empties it); any other offset must be its end: an upload appends."""
    p = resolve(path)
    if p == STORAGE_ROOT:
        raise Failure(E_NOT_A_FILE, '%s is not a file' % path)
    try:
        if offset:
            kind, size, mtime = stat_of(p)
            if kind != T_FILE:
                raise Failure(E_NOT_A_FILE, '%s is not a file' % path)
            if size != offset:
                raise Failure(E_BAD_REQUEST, 'offset %d is not the end of %s (%d bytes)' % (offset, path, size))
        with open(p, 'ab' if offset else 'wb') as f:
            f.write(data)
    except OSError as e:
        raise os_failure(e, path)


def exists(p):
    try:
        os.stat(p)
        return True
    except OSError:
        return False


def rename_file(path, to, replace):
    src, dst = resolve(path), resolve(to)
    if STORAGE_ROOT in (src, dst):
        raise Failure(E_OUTSIDE_ROOT, '%s itself cannot be renamed' % STORAGE_ROOT)
    if not exists(src):
        raise Failure(E_NOT_FOUND, '%s: no such file or folder' % path)
    if exists(dst):
        if not replace:
            raise Failure(E_EXISTS, '%s already exists' % to)
        if stat_of(dst)[0] != T_FILE:
            raise Failure(E_NOT_A_FILE, '%s is not a file' % to)
        os.remove(dst)  # FAT's rename does not replace
    try:
        os.rename(src, dst)
    except OSError as e:
        raise os_failure(e, to)


def make_folder(path):
    p = resolve(path)
    if exists(p):
        raise Failure(E_EXISTS, '%s already exists' % path)
    try:
        os.mkdir(p)
    except OSError as e:
        raise os_failure(e, path)


class Checksum:
    """A file's SHA-256, a slice a turn, so that the stream goes on while a big file is hashed."""

    def __init__(self, id_, path):
        p, self.size = regular_file(path)
        self.id = id_
        self.hash = hashlib.sha256()
        self.file = open(p, 'rb')

    def step(self):
        """The digest once the file is read, else None."""
        data = self.file.read(65536)
        if data:
            self.hash.update(data)
            return None
        self.file.close()
        return self.hash.digest()

    def close(self):
        self.file.close()
