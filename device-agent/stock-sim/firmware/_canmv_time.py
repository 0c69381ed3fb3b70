# The simulated board's time: the VM's own, plus what CanMV's time has beyond it: time.clock(), the
# OpenMV-style frame clock its examples use (clock.tick() each frame, clock.fps()). Installed as
# sys.modules['time'] at boot.
from utime import *
from utime import ticks_us, ticks_diff


class clock:
    def __init__(self):
        self._start = self._last = ticks_us()
        self._frames = 0
        self._fps = 0.0

    def tick(self):
        now = ticks_us()
        if self._frames:
            period = ticks_diff(now, self._last)
            self._fps = 1000000 / period if period > 0 else 0.0
        self._frames += 1
        self._last = now
        return now

    def fps(self):
        return self._fps

    def avg(self):
        return ticks_diff(self._last, self._start) / 1000 / max(1, self._frames - 1)

    def reset(self):
        self.__init__()
