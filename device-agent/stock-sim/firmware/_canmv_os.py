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
