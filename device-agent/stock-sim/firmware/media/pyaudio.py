# media.pyaudio of the simulated board: PyAudio and its input streams (canmv_k230 v1.7). An input
# stream reads the simulated microphone (device-agent/tools/sim_ai.c) from /dev/ai0: 16-bit mono
# PCM at 8000 or 16000 Hz, frames_per_buffer samples a read, as ai hands a frame to read(); the
# frame's fields stay in the stream's _audio_frame, as kd_mpi_ai_get_frame leaves them in the
# firmware's: time_stamp (microseconds, the clock of VENC's pts) is the end of its last sample.
# Like the firmware's, close() does not stop a stream: stop_stream() does. The simulated board has
# no speaker: output streams are refused.
import struct
import _board

DIV_NUM = 5
paInt16, paInt24, paInt32 = 0, 1, 2
LEFT, RIGHT, LEFT_RIGHT = 1, 2, 3
AUDIO_3A_ENABLE_NONE, AUDIO_3A_ENABLE_ANS, AUDIO_3A_ENABLE_AGC, AUDIO_3A_ENABLE_AEC = 0, 1, 2, 4
DEVICE_I2S = "i2s"
DEVICE_PDM = "pdm"

# What k230-sim-ai coded of the last frames it gave: PCM -> (A-law, mu-law). media.g711's Encoder
# hands these back, standing for aenc without spending the VM on each sample.
_coded = {}
_coded_order = []


def _keep_coding(pcm, alaw, ulaw):
    if pcm not in _coded:  # (silence comes again and again, coded the same)
        _coded_order.append(pcm)
        if len(_coded_order) > 8:
            del _coded[_coded_order.pop(0)]
    _coded[pcm] = (alaw, ulaw)


class _AudioFrame:
    """The fields of k_audio_frame that a read fills."""

    def __init__(self):
        self.bit_width = self.snd_mode = self.time_stamp = self.seq = self.len = 0


class Stream:
    def __init__(self, PA_manager, rate, channels, format, input=False, output=False, input_device_index=None,
                 output_device_index=None, enable_codec=True, frames_per_buffer=1024, start=True,
                 stream_callback=None):
        if input == output:
            raise ValueError("Must specify an input or output stream.")
        self._parent = PA_manager
        self._is_input = input
        self._is_output = output
        self._is_running = start
        self._rate = rate
        self._channels = channels
        self._format = format
        self._frames_per_buffer = frames_per_buffer
        self._input_device_index = input_device_index
        self._output_device_index = output_device_index
        self._enable_codec = enable_codec
        self._stream_callback = stream_callback
        self.device_type = DEVICE_I2S

    def close(self):
        self._is_running = False
        self._parent._remove_stream(self)


class Read_stream(Stream):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._input_device_index == 1:
            self.device_type = DEVICE_PDM
        self._audio_frame = _AudioFrame()
        self._start_stream = False
        self._dev = None
        self._buf = None
        self._volume = [85, 85]
        if self._is_running:
            self.start_stream()

    def start_stream(self):
        if self._start_stream:
            return
        if self.device_type != DEVICE_I2S or _board.ai_set_pub_attr(self._rate, self._channels, self._format,
                                                                    self._frames_per_buffer) != 0:
            raise ValueError("kd_mpi_ai_set_pub_attr failed:-1")
        if _board.ai_enable() != 0:
            raise ValueError("kd_mpi_ai_enable failed:-1")
        self._buf = bytearray(16 + 4 * self._frames_per_buffer)
        self._dev = open('/dev/ai0', 'rb')
        self._start_stream = True

    def stop_stream(self):
        if not self._start_stream:
            return
        self._dev.close()
        self._dev = None
        _board.ai_disable()
        self._start_stream = False

    def read(self, chn=0, block=True):
        if not self._start_stream:
            return None
        _board.ai_timeout(1000 if block else 10)
        if not self._dev.readinto(self._buf):
            return None
        samples, seq, stamp = struct.unpack_from('<IIQ', self._buf)
        f = self._audio_frame
        f.time_stamp, f.seq, f.len, f.snd_mode = stamp, seq, 2 * samples, 1
        view = memoryview(self._buf)
        at = 16 + 2 * samples  # the PCM, then its mu-law, then its A-law
        pcm = bytes(view[16:at])
        _keep_coding(pcm, bytes(view[at + samples:at + 2 * samples]), bytes(view[at:at + samples]))
        return pcm

    def volume(self, vol=None, channel=LEFT_RIGHT):
        if vol is None:
            return tuple(self._volume)
        if channel & LEFT:
            self._volume[0] = vol
        if channel & RIGHT:
            self._volume[1] = vol
        return True

    def swap_left_right(self, state=True):
        return True

    def enable_audio3a(self, audio3a_value):
        return 0


class PyAudio:
    def __init__(self):
        self._streams = set()

    def terminate(self):
        for stream in self._streams.copy():
            stream.close()
        self._streams = set()

    def open(self, *args, **kwargs):
        if kwargs.get("output"):
            raise OSError("the simulated board has no speaker")
        stream = Read_stream(self, *args, **kwargs)
        self._streams.add(stream)
        return stream

    def close(self, stream):
        if stream not in self._streams:
            raise ValueError("Stream `%s' not found" % str(stream))
        stream.close()

    def _remove_stream(self, stream):
        if stream in self._streams:
            self._streams.remove(stream)

    def get_sample_size(self, format):
        return {paInt16: 2, paInt24: 3, paInt32: 4}.get(format, -1)

    def get_format_from_width(self, width):
        return {2: paInt16, 3: paInt24, 4: paInt32}.get(width, -1)
