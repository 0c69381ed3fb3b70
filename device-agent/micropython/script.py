# The user's script, run under the agent (no C twin: the C agent has no MicroPython). The agent keeps
# the port: the script's print, sys.stdout and tracebacks go out as SCRIPT_OUTPUT frames, input()
# and sys.stdin read SCRIPT_INPUT, and every print, input and sleep of the script also serves the
# link (pings, files, the live stream, Stop). docs/running-scripts.md says why it is done so.
import builtins
import io
import micropython
import sys
import time

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from sdcard import Failure
    from wire import E_SCRIPT_RUNNING

FINISHED, EXCEPTION, STOPPED, RESET = 0, 1, 2, 3  # SCRIPT_ENDED's how
OUTPUT_MAX = 4096  # past this much held, output goes out at once
SERVE_US = 2000  # a print serves the link at most this often
# What a script imports that takes the board's media from the agent's live view.
MEDIA_PREFIXES = ('media', 'mpp', 'libs', 'nncase_runtime', 'image', 'sensor', 'camera')
# What takes the microphone too: until then, the script's display streams with the agent's sound.
SOUND_MODULES = ('media.pyaudio', 'media.g711')


class Proxy:
    """A module as the script sees it: the real one, some names its own."""

    def __init__(self, real, **own):
        self._real = real
        for k in own:
            setattr(self, k, own[k])

    def __getattr__(self, name):
        return getattr(self._real, name)


class ScriptOut:
    """The script's sys.stdout and sys.stderr (text and .buffer bytes alike)."""

    def __init__(self, run):
        self.run = run
        self.buffer = self

    def write(self, s):
        self.run.out(s)
        return len(s)

    def flush(self):
        self.run.flush()


class ScriptIn:
    """The script's sys.stdin: what the person typed (SCRIPT_INPUT)."""

    def __init__(self, run):
        self.run = run
        self.buffer = self

    def readline(self):
        return self.run.read_line()

    def read(self, n=-1):
        return self.run.read_bytes(n)


def script_line(traceback, name):
    """The script's own innermost line in a traceback, 0 when none is there."""
    mark = 'File "%s", line ' % name
    line = 0
    for text in traceback.split('\n'):
        at = text.find(mark)
        if at >= 0:
            digits = ''
            for c in text[at + len(mark):]:
                if not ('0' <= c <= '9'):
                    break
                digits += c
            line = int(digits) if digits else line
    return line


def script_traceback(e, name):
    """The traceback from the script's first frame on: the agent's own frames are not the user's."""
    s = io.StringIO()
    sys.print_exception(e, s)
    lines = s.getvalue().split('\n')
    for i in range(len(lines)):
        if ('File "%s"' % name) in lines[i]:
            return '\n'.join(lines[:1] + lines[i:])
    return '\n'.join(lines)


class ScriptRun:
    """One run: its hooks in builtins and sys.modules while it runs, and its end, whatever it left."""

    def __init__(self, agent, name):
        self.agent = agent
        self.name = name
        self.held = bytearray()
        self.typed = bytearray()
        self.last_serve = time.ticks_us()
        self.stop = 0  # 1: Stop asked, raised at the next print, input or sleep; 2: by force
        self.media_taken = False
        self.saved = {}
        self.display = None  # (Display, its own show_image) while show_image is hooked

    # -- output and input
    def out(self, s):
        self.held += s if isinstance(s, (bytes, bytearray)) else s.encode()
        # A line goes out when it ends: the script may compute for long after it, with no print to carry it
        if len(self.held) >= OUTPUT_MAX or (b'\n' in s if isinstance(s, (bytes, bytearray)) else '\n' in s):
            self.flush()
        self.serve(0)

    def flush(self):
        if self.held:
            self.agent.link.send('SCRIPT_OUTPUT', 0, {'dropped': 0, 'data': b''}, bytes(self.held))
            self.held = bytearray()

    def print(self, *args, sep=' ', end='\n', file=None):
        if file is not None and not isinstance(file, ScriptOut):
            return self.saved['print'](*args, sep=sep, end=end, file=file)
        self.out(sep.join([str(a) for a in args]) + end)

    def input(self, prompt=''):
        if prompt:
            self.out(prompt)
        line = self.read_line()
        return line[:-1] if line.endswith('\n') else line

    def read_line(self):
        self.flush()
        while b'\n' not in self.typed:
            self.serve(20)
        at = self.typed.find(b'\n') + 1
        line, self.typed = bytes(self.typed[:at]), self.typed[at:]
        return line.decode()

    def read_bytes(self, n):
        self.flush()
        while not self.typed:
            self.serve(20)
        n = len(self.typed) if n < 0 else min(n, len(self.typed))
        data, self.typed = bytes(self.typed[:n]), self.typed[n:]
        return data

    def sleep_ms(self, ms):
        self.flush()
        end = time.ticks_add(time.ticks_ms(), int(ms))
        while True:
            left = time.ticks_diff(end, time.ticks_ms())
            if left <= 0:
                break
            self.serve(min(left, 10), True)
        self.serve(0, True)

    # -- the link, while the script runs
    def serve(self, wait_ms, force=False):
        """One turn of the agent's loop; Stop raises here, between the script's own steps."""
        now = time.ticks_us()
        if force or wait_ms or time.ticks_diff(now, self.last_serve) >= SERVE_US:
            self.last_serve = now
            if self.held:
                self.flush()
            self.agent.step(wait_ms)
        if self.stop == 2:
            raise SystemExit()  # by force: past `except KeyboardInterrupt` and `except Exception` alike
        if self.stop:
            raise KeyboardInterrupt()

    def take_media(self):
        """The script imports the board's media: the agent's live view lets go of them first."""
        if not self.media_taken:
            self.media_taken = True
            self.agent.release_media()

    def hook_display(self):
        """Once the script has media.display: each show_image serves the link after it, so that the
        new picture goes out at once and Stop reaches a loop that only shows images."""
        d = getattr(sys.modules.get('media.display'), 'Display', None)  # None too while it is being imported
        if self.display or d is None:
            return
        shown = d.show_image
        run = self

        def show_image(*args, **kwargs):
            r = shown(*args, **kwargs)
            run.serve(0, True)
            return r
        self.display = (d, getattr(d, '__dict__', {}).get('show_image', shown))
        d.show_image = show_image

    def refuse_media(self):
        if self.media_taken:
            raise Failure(E_SCRIPT_RUNNING, 'the script %s holds the camera and the encoder until it ends' % self.name)

    # -- hooks in, run, hooks out
    def install(self):
        real_import = builtins.__import__
        run = self

        def script_import(name, *args):
            for prefix in MEDIA_PREFIXES:
                if name == prefix or name.startswith(prefix + '.'):
                    run.take_media()
            if name in SOUND_MODULES:
                run.agent.release_sound()
            module = real_import(name, *args)
            run.hook_display()
            return module

        out = ScriptOut(self)
        hooks = {
            'sys': Proxy(sys, stdout=out, stderr=out, stdin=ScriptIn(self), exit=sys.exit),
            'time': Proxy(time, sleep=lambda s: self.sleep_ms(s * 1000), sleep_ms=self.sleep_ms,
                          sleep_us=lambda us: self.sleep_ms(us / 1000)),
            # Ctrl-C stays on: Stop must reach a script that turned it off (docs/running-scripts.md)
            'micropython': Proxy(micropython, kbd_intr=lambda c: None),
        }
        self.saved = {'print': builtins.print, 'input': builtins.input, '__import__': real_import, 'modules': {}}
        for name in ('sys', 'usys', 'time', 'utime', 'micropython'):
            self.saved['modules'][name] = sys.modules.get(name)
            sys.modules[name] = hooks[name.lstrip('u') if name in ('usys', 'utime') else name]
        try:
            builtins.print = self.print
            builtins.input = self.input
            builtins.__import__ = script_import
        except (AttributeError, TypeError):  # builtins that cannot be overridden: the media go up front
            self.take_media()

    def uninstall(self):
        if self.display:
            self.display[0].show_image = self.display[1]
            self.display = None
        for name, module in self.saved['modules'].items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        try:
            builtins.print = self.saved['print']
            builtins.input = self.saved['input']
            builtins.__import__ = self.saved['__import__']
        except (AttributeError, TypeError):
            pass

    def execute(self, source):
        """(how, line, traceback) once the script has ended, however it ended."""
        self.install()
        micropython.kbd_intr(3)  # the host's last resort, after Stop and 2 s: a Ctrl-C byte
        try:
            exec(compile(source, self.name, 'exec'), {'__name__': '__main__', '__file__': self.name})
            return FINISHED, 0, ''
        except KeyboardInterrupt:
            return (RESET if self.stop == 2 else STOPPED), 0, ''
        except SystemExit as e:
            if self.stop == 2:
                return RESET, 0, ''
            return (FINISHED, 0, '') if not e.args or not e.args[0] else (EXCEPTION, 0, 'SystemExit: %r\n' % e.args[0])
        except BaseException as e:  # noqa: the script's own exception, whatever it is
            tb = script_traceback(e, self.name)
            return EXCEPTION, script_line(tb, self.name), tb
        finally:
            micropython.kbd_intr(-1)
            self.uninstall()


def release_script_media():
    """What a script left open, released as a soft reset would: the firmware releases nothing when a
    script ends (docs/running-scripts-firmware.md), and the next script or the live view needs it."""
    for release in (_sensor, _display, _links, _encoders):
        try:
            release()
        except Exception:  # noqa: a firmware without that module, or nothing of it left open
            pass


def _sensor():
    from media.sensor import Sensor
    Sensor.deinit()


def _display():
    from media.display import Display
    Display.deinit()


def _links():
    import media.media as mm
    for link in list(getattr(mm, '_links', ())):
        link.destroy()


def _encoders():
    from media.vencoder import Encoder
    e = Encoder()
    for chn in range(4):  # every VENC channel: none is the agent's while a script holds the media
        for step in (e.Stop, e.Destroy):
            try:
                step(chn)
            except Exception:  # noqa: a channel the script did not use
                pass

