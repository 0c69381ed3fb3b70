# K230 Live agent for the stock CanMV K230 firmware (v1.7 or later, MicroPython 1.21): the session and
# its requests (the C twin: device-agent/src/session.c, main.c), and the user's scripts (script.py). It speaks the protocol of
# docs/protocol.md as device-agent/src does in C: the board's own H.264/H.265 from Encoder.GetStream,
# muxed here into fragmented MP4, one fragment per frame, with the microphone's G.711 beside it when
# asked; the file service, confined to /sdcard; board recordings on /sdcard. Only what CanMV's
# MicroPython 1.21 has is used.
# The host pastes the modules through the raw REPL's raw-paste mode, each after those it needs
# (wire, mp4, capture, display, stream, live, sdcard, recording, script, agent): each runs in __main__, where the
# definitions of those before it are; then it types main() at the friendly REPL, so that the board is
# back at its prompt when the agent ends. Nothing is written to the board.
import os
import sys

# Imported in tests; pasted by the host, the modules before it have left their names in __main__.
if __name__ != '__main__':
    from wire import (LAYOUTS, PROTOCOL_VERSION, E_UNSUPPORTED_VERSION, E_BAD_REQUEST, E_UNKNOWN_REQUEST,
                      E_UNSUPPORTED_SETTING, E_NOT_STREAMING, E_HANDSHAKE_REQUIRED, E_ENCODER, E_IO, E_EXISTS,
                      E_SCRIPT_RUNNING, SOURCE_CAMERA, SOURCE_DISPLAY, SOURCE_FOLLOW, SOURCE_NONE, Malformed, Link,
                      decode_payload)
    from capture import (LIVE_CHANNEL, RECORD_CHANNEL, MAX_WIDTH, MAX_HEIGHT, MAX_FPS, Channel, Clock, SharedMicrophone,
                         check_settings, media_api)
    from display import DisplayChannel, display_settings, script_display
    from stream import Stream
    from live import LiveSink
    from sdcard import (Failure, Checksum, file_stat, list_folder, make_folder, os_failure, read_file, regular_file,
                        rename_file, resolve, space, write_file)
    from recording import BoardRecording, recording_path
    from script import RESET, ScriptRun, release_script_media

AGENT_VERSION = '0.5.0'
KEEPALIVE_US = 5000000
NO_HOST_US = 1500000  # no frame from a host for this long (it pings every second): the board is a person's


class Agent:
    def __init__(self, media, board_name, firmware):
        self.media = media
        self.board_name = board_name
        self.firmware = firmware
        self.link = Link(sys.stdout.buffer, sys.stdin)
        self.clock = Clock()
        self.microphone = SharedMicrophone(media['sound'])
        self.greeted = False
        self.want = None  # the live view's settings as the host asked for them (STREAM_START), or None
        self.live = None  # its Stream, while the source it shows is there
        self.live_failed = None  # (source, available) that failed to open: not tried again until that changes
        self.told = None  # (available, live) as the last SOURCES said them
        self.recording = None
        self.checksum = None  # a SHA-256 under way
        self.script = None  # the user's script while it runs
        self.ending = False  # leave the loop: '!bye', a person's keys, or a script ended by force

    def reply(self, id_, name, **fields):
        self.link.send(name, id_, fields)

    def error(self, id_, code, message):
        self.reply(id_, 'ERROR', code=code, message=message)

    def stop_live(self):
        if self.live:
            self.live.close()
            self.live = None

    def live_stream(self):
        if not self.live:
            raise Failure(E_NOT_STREAMING, 'no stream is running')
        return self.live

    # -- the live view's source: the camera, or the running script's display
    def available(self):
        """The sources there now, one bit each: the camera unless a script holds it, and the running
        script's display while it has one with write-back."""
        bits = 0
        if not (self.script and self.script.media_taken):
            bits |= 1 << SOURCE_CAMERA
        if self.script and script_display() is not None:
            bits |= 1 << SOURCE_DISPLAY
        return bits

    def open_live(self, source):
        s = self.want
        if source == SOURCE_DISPLAY:
            d = script_display()
            s = display_settings(s, d) if d else None
            if s is None:
                raise OSError('the display %s cannot be encoded' % (d,))
            return Stream(lambda x: DisplayChannel(self.media, x, d), SOURCE_DISPLAY, s, LiveSink(self.link),
                          self.clock, self.microphone, 'live')
        return Stream(lambda x: Channel(self.media, LIVE_CHANNEL, x), SOURCE_CAMERA, s, LiveSink(self.link),
                      self.clock, self.microphone, 'live')

    def reconcile_live(self, asked=False):
        """Streams the source the host asked for whenever it is there (FOLLOW: the script's display
        while it shows one, else the camera), and says so in SOURCES when anything changed. `asked`:
        STREAM_START's own turn, whose reply tells why a source that is there would not open."""
        available = self.available()
        target = None
        if self.want:
            source = self.want['source']
            if source == SOURCE_FOLLOW:
                source = SOURCE_DISPLAY if available & (1 << SOURCE_DISPLAY) else SOURCE_CAMERA
            if available & (1 << source):
                target = source
        if self.live and (self.live.source != target or
                          (target == SOURCE_DISPLAY and self.live.channel.display != script_display())):
            self.stop_live()
        if target is not None and not self.live and self.live_failed != (target, available):
            try:
                self.live = self.open_live(target)
                self.live_failed = None
            except Exception:
                self.live_failed = (target, available)
                if asked:
                    raise
        now = (available, self.live.source if self.live else SOURCE_NONE)
        if now != self.told:
            self.told = now
            self.link.send('SOURCES', 0, {'available': now[0], 'live': now[1]})

    # -- requests
    def handle(self, type_, id_, payload):
        layout = LAYOUTS.get(type_)
        if layout is None or layout[1] != 'request':
            return self.error(id_, E_UNKNOWN_REQUEST, 'unknown request type 0x%02x' % type_)
        try:
            m = decode_payload(type_, payload)
        except (Malformed, UnicodeError) as e:
            return self.error(id_, E_BAD_REQUEST, 'malformed %s: %s' % (layout[0], e))
        name = layout[0]
        if name == 'HELLO':
            if m['protocol_version'] != PROTOCOL_VERSION:
                return self.error(id_, E_UNSUPPORTED_VERSION, 'agent speaks protocol version %d, the host asked for %d'
                                  % (PROTOCOL_VERSION, m['protocol_version']))
            self.stop_live()
            self.want = None
            self.greeted = True
            self.reply(id_, 'HELLO_REPLY', protocol_version=PROTOCOL_VERSION,
                       agent_version='micropython %s (CanMV %s)' % (AGENT_VERSION, self.firmware),
                       board_name=self.board_name, codecs=3, max_width=MAX_WIDTH, max_height=MAX_HEIGHT,
                       max_fps=MAX_FPS, storage=1, audio_codecs=3 if self.media['sound'] else 0, scripts=1,
                       sources=(1 << SOURCE_CAMERA) | (1 << SOURCE_DISPLAY))
            self.told = None  # a new host hears what is there now
            return self.reconcile_live()
        if not self.greeted:
            return self.error(id_, E_HANDSHAKE_REQUIRED, 'say HELLO first')
        try:
            getattr(self, 'on_' + name.lower())(id_, m)
        except Failure as f:
            self.error(id_, f.code, f.message)
        except Exception as e:  # a request never ends the agent
            self.error(id_, E_IO, '%s failed: %r' % (name, e))

    def on_ping(self, id_, m):
        self.reply(id_, 'PONG', host_time_us=m['host_time_us'], board_time_us=self.clock.now())

    def on_stream_start(self, id_, m):
        s = m['settings']
        if s['source'] not in (SOURCE_CAMERA, SOURCE_DISPLAY, SOURCE_FOLLOW):
            raise Failure(E_UNSUPPORTED_SETTING, 'unknown source %d' % s['source'])
        why = check_settings(s)
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        self.stop_live()
        self.want = s
        self.live_failed = None
        try:
            self.reconcile_live(True)
        except Exception as e:
            self.want = None
            self.reconcile_live()
            raise Failure(E_ENCODER, 'the encoder refused: %s' % e)
        # The source asked for may not be there yet (a script's display before Display.init): the
        # stream starts when it comes, and SOURCES says so.
        self.reply(id_, 'OK')

    def on_stream_stop(self, id_, m):
        self.want = None
        self.stop_live()
        self.reconcile_live()
        self.reply(id_, 'OK')

    def on_request_idr(self, id_, m):
        self.live_stream().request_idr()
        self.reply(id_, 'OK')

    def on_set_bitrate(self, id_, m):
        live = self.live_stream()
        s = dict(live.muxer.settings)
        s['bitrate_kbps'] = m['bitrate_kbps']
        why = check_settings(s)
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        live.remake_channel(s)
        self.reply(id_, 'OK')

    def on_file_list(self, id_, m):
        truncated, entries = list_folder(m['path'])
        self.reply(id_, 'FILE_LIST_REPLY', truncated=truncated, entries=entries)

    def on_file_stat(self, id_, m):
        kind, size, mtime = file_stat(m['path'])
        self.reply(id_, 'FILE_STAT_REPLY', file_type=kind, size=size, mtime_ms=mtime)

    def on_file_read(self, id_, m):
        self.reply(id_, 'FILE_DATA', offset=m['offset'], data=read_file(m['path'], m['offset'], m['length']))

    def on_file_checksum(self, id_, m):
        if self.checksum:
            self.checksum.close()
            self.checksum = None
        self.checksum = Checksum(id_, m['path'])

    def pump_checksum(self):
        c = self.checksum
        digest = c and c.step()
        if digest:
            self.checksum = None
            self.reply(c.id, 'FILE_CHECKSUM_REPLY', size=c.size, sha256=digest)

    def on_file_delete(self, id_, m):
        p, size = regular_file(m['path'])
        if self.recording and self.recording.active and self.recording.path == p:
            raise Failure(E_IO, '%s is being recorded: stop the recording first' % m['path'])
        os.remove(p)
        self.reply(id_, 'OK')

    def on_file_write(self, id_, m):
        if self.recording and self.recording.active and self.recording.path == resolve(m['path']):
            raise Failure(E_EXISTS, '%s is being recorded' % m['path'])
        write_file(m['path'], m['offset'], m['data'])
        self.reply(id_, 'OK')

    def on_file_rename(self, id_, m):
        if self.recording and self.recording.active and self.recording.path in (resolve(m['path']), resolve(m['to'])):
            raise Failure(E_EXISTS, '%s is being recorded' % self.recording.path)
        rename_file(m['path'], m['to'], m['replace'])
        self.reply(id_, 'OK')

    def on_file_mkdir(self, id_, m):
        make_folder(m['path'])
        self.reply(id_, 'OK')

    # -- the user's script
    def on_script_run(self, id_, m):
        if self.script:
            raise Failure(E_SCRIPT_RUNNING, 'the script %s is running: stop it first' % self.script.name)
        if self.recording and self.recording.active:
            raise Failure(E_SCRIPT_RUNNING, 'the board is recording to its card: stop that first')
        try:
            source = m['source'].decode()
        except UnicodeError:
            raise Failure(E_BAD_REQUEST, '%s is not UTF-8 text' % m['name'])
        self.reply(id_, 'OK')
        run = self.script = ScriptRun(self, m['name'])
        start = self.clock.now()
        try:
            how, line, traceback = run.execute(source)
            elapsed = self.clock.now() - start
            run.flush()
        finally:
            self.script = None
            if self.live and self.live.source == SOURCE_DISPLAY:
                self.stop_live()  # its display's channel goes before what the script left is released
            self.end_display_recording('the script ended: recording stopped, the file is complete')
            if run.media_taken:
                release_script_media()
                self.restore_media()
        self.link.send('SCRIPT_ENDED', 0, {'how': how, 'elapsed_us': elapsed, 'line': line, 'traceback': b''},
                       traceback.encode())
        if how == RESET:
            self.ending = True  # the host soft-resets the board once the agent has left

    def on_script_input(self, id_, m):
        if not self.script:
            raise Failure(E_BAD_REQUEST, 'no script is running')
        self.script.typed += m['data']
        self.reply(id_, 'OK')

    def on_script_stop(self, id_, m):
        if self.script:
            self.script.stop = 2 if m['force'] else max(self.script.stop, 1)
        self.reply(id_, 'OK')

    def release_media(self):
        """The script takes the camera and the encoder: the live view lets go of them, and of the
        microphone, which the script's display may take again until the script imports its own."""
        self.stop_live()
        self.microphone.close()
        self.microphone = SharedMicrophone(self.media['sound'])
        self.media['stop']()

    def release_sound(self):
        """The script takes the microphone: a stream with sound goes on without it (from its next init);
        a board recording with sound (of the display: nothing else records beside a script) ends."""
        if self.live and self.live.muxer.audio:
            self.stop_live()
        if self.recording and self.recording.active and self.recording.stream.muxer.audio:
            self.end_display_recording('the script took the microphone: recording stopped, the file is complete')
        self.microphone.close()
        self.microphone = SharedMicrophone(None)

    def restore_media(self):
        """The script has ended and what it left is released: the agent's media are its own again."""
        self.media = media_api()
        self.microphone = SharedMicrophone(self.media['sound'])

    def on_storage_info(self, id_, m):
        total, available = space()
        self.reply(id_, 'STORAGE_INFO_REPLY', total=total, available=available)

    def on_board_record_start(self, id_, m):
        s = m['settings']
        if self.recording and self.recording.active:
            raise Failure(E_EXISTS, 'the board is already recording %s' % self.recording.path)
        why = check_settings(s)
        if why:
            raise Failure(E_UNSUPPORTED_SETTING, why)
        source, s, open_channel = self.recorded_source(s)
        p = recording_path(m['path'])
        try:
            self.recording = BoardRecording(open_channel, source, self.clock, self.microphone, p, s)
        except OSError as e:
            raise os_failure(e, m['path'] or p)
        self.reply(id_, 'BOARD_RECORDING', **self.recording.status())

    def recorded_source(self, settings):
        """What a board recording takes: (source, its settings, settings -> its channel). FOLLOW, as
        the live view: the running script's display while it has one, else the camera."""
        d = script_display() if self.script else None
        if settings['source'] == SOURCE_DISPLAY and d is None:
            raise Failure(E_UNSUPPORTED_SETTING, 'no script shows a display to record (Display.VIRT, or a panel '
                                                 'with to_ide=True)')
        if d is not None and settings['source'] != SOURCE_CAMERA:
            s = display_settings(settings, d)
            if s is None:
                raise Failure(E_UNSUPPORTED_SETTING, 'the display %dx%d at %d fps cannot be encoded' % d)
            return SOURCE_DISPLAY, s, lambda x: DisplayChannel(self.media, x, d, RECORD_CHANNEL)
        if self.script:
            self.script.refuse_media()
        return SOURCE_CAMERA, settings, lambda x: Channel(self.media, RECORD_CHANNEL, x)

    def end_display_recording(self, why):
        """A board recording of the script's display ends with it (the file whole, as at Stop)."""
        r = self.recording
        if r and r.active and r.stream.source == SOURCE_DISPLAY:
            r.stop(0, why)
            self.link.send('BOARD_RECORDING', 0, r.status())

    def on_board_record_stop(self, id_, m):
        if self.recording:
            self.recording.stop()
        self.on_board_record_status(id_, m)

    def on_board_record_status(self, id_, m):
        if not self.recording:
            return self.reply(id_, 'BOARD_RECORDING', active=0, path='', elapsed_us=0, bytes=0, frames=0,
                              dropped=0, error=0, message='')
        self.reply(id_, 'BOARD_RECORDING', **self.recording.status())

    # -- the loop
    def run(self):
        # '!bye' ends the agent, once a board recording (which outlives its host) has stopped; so do the
        # keys a person (or another tool) sends a REPL while no host is connected
        while not self.ending:
            busy = self.live or (self.recording and self.recording.active) or self.checksum
            try:
                self.step(2 if busy else 50)
            except KeyboardInterrupt:
                pass  # a Ctrl-C that came for a script just ended
            recording = self.recording and self.recording.active
            lines = self.link.lines
            if lines.quit and not recording:
                self.ending = True
            elif lines.handback and not recording and self.clock.now() - self.link.heard_us > NO_HOST_US:
                self.link.out.write(b'\r\nK230 Live agent ended: the REPL is yours again '
                                    b'(the next K230 Live command starts the agent again)\r\n')
                self.ending = True

    def step(self, wait_ms):
        """One turn: requests, the microphone, the live stream, checksums and the board recording.
        The loop takes turns; so does a running script, at each of its prints, inputs and sleeps."""
        now = self.clock.now()
        for type_, flags, id_, payload in self.link.receive(wait_ms, now):
            self.handle(type_, id_, payload)
        self.microphone.listen(self.clock)
        if self.greeted:
            self.reconcile_live()
        if self.live:
            try:
                self.live.pump()
            except Exception:  # noqa: the source failed (a display deinit mid-frame): never the script's problem
                self.live_failed = (self.live.source, self.available())
                self.stop_live()
        self.pump_checksum()
        now = self.clock.now()
        if self.greeted and now - self.link.heard_us > KEEPALIVE_US:
            self.greeted = False  # the host is gone: no one watches the stream
            self.want = None
            self.stop_live()
        r = self.recording
        if r and r.active and r.stream.source == SOURCE_DISPLAY and r.stream.channel.display != script_display():
            self.end_display_recording("the script's display ended: recording stopped, the file is complete")
        was_active = r and r.active
        if r:
            try:
                r.pump()
            except Exception:  # noqa: its display failed mid-frame (a deinit): the file stays whole
                if r.stream.source != SOURCE_DISPLAY:
                    raise
                r.stop(0, "the script's display failed: recording stopped, the file is complete")
        chunks = self.microphone.take()
        if self.live:
            self.live.pump_sound(chunks)
        if r:
            r.pump_sound(chunks)
            if r.tick(now) or (was_active and not r.active):
                self.link.send('BOARD_RECORDING', 0, r.status())

    def close(self):
        self.stop_live()
        if self.recording:
            self.recording.stop()
        self.microphone.close()
        if self.checksum:
            self.checksum.close()


def firmware_version():
    try:
        return os.uname().release
    except AttributeError:
        return 'unknown'


def main():
    import micropython
    media = media_api()
    media['MediaManager'].init()
    try:
        name = os.uname().machine
    except AttributeError:
        name = 'CanMV K230'
    agent = None
    micropython.kbd_intr(-1)  # Ctrl-C is data now; '!bye' ends the agent
    try:
        agent = Agent(media, name, firmware_version())
        agent.run()
    finally:
        micropython.kbd_intr(3)
        if agent:
            agent.close()
        media['stop']()
        media['MediaManager'].deinit()
