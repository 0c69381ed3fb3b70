# The simulated board's os: the VM's own, plus what CanMV's os has beyond it (os.uname, whose
# release names the firmware, and os.exitpoint). Installed as sys.modules['os'] at boot.
from uos import *
import _board


class _Uname:
    def __init__(self, release, machine):
        self.sysname = self.nodename = 'rt-smart'
        self.release = release
        self.version = 'v1.21.0 on 2026-06-30'
        self.machine = machine

    def __getitem__(self, i):
        return (self.sysname, self.nodename, self.release, self.version, self.machine)[i]


_UNAME = _Uname(_board.firmware_release(), _board.board_name())
EXITPOINT_ENABLE = 1


def uname():
    return _UNAME


def exitpoint(mode=None):
    return 0


# The VM's file system reports errors by the WebAssembly runtime's numbers; the board's FAT reports
# MicroPython's (errno.ENOENT == 2 ...). The card's functions say what the board's would.
_BOARD_ERRNO = {44: 2, 20: 17, 54: 20, 31: 21, 55: 39, 51: 28, 2: 13, 28: 22, 29: 5}


def _as_on_the_board(f):
    def call(*args):
        try:
            return f(*args)
        except OSError as e:
            if e.args and e.args[0] in _BOARD_ERRNO:
                raise OSError(_BOARD_ERRNO[e.args[0]])
            raise
    return call


import uos as _uos  # noqa: E402
for _name in ('stat', 'remove', 'rename', 'mkdir', 'rmdir', 'listdir', 'ilistdir', 'statvfs', 'chdir'):
    if hasattr(_uos, _name):
        globals()[_name] = _as_on_the_board(getattr(_uos, _name))
