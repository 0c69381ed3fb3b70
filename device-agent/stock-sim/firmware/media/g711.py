# media.g711 of the simulated board: the Encoder (canmv_k230 v1.7), over aenc's G.711. K_PT_G711A
# and K_PT_G711U are mpp.payload_struct's payload types, which the firmware's module imports with *.
# encode() hands back the G.711 that k230-sim-ai made of a frame of the simulated microphone
# (media.pyaudio keeps the last few), so the VM codes no sample itself; PCM that did not come from
# the microphone is refused with aenc's failure. As on the firmware, every Encoder asks aenc for
# channel 0 (its get_free_chn_index returns a free slot's value, 0, not its index): a second one
# fails in create() while the first lives. The Decoder is not simulated.
from media import pyaudio

K_PT_G711A = 19
K_PT_G711U = 20
AENC_MAX_CHN_NUMS = 8
BUF_CNT = 5

_aenc_channels = set()  # aenc's channels in use


class Encoder:
    chns_enable = [0] * AENC_MAX_CHN_NUMS

    def __init__(self, type, frames_per_buffer):
        self.type = type
        self.point_num_per_frame = frames_per_buffer
        self.chn = -1
        self.init = False

    def create(self):
        if self.init:
            raise RuntimeError("The instance has been initialized")
        if 0 not in Encoder.chns_enable:
            raise ValueError("Encoder has no free chn")
        self.chn = 0
        Encoder.chns_enable[0] = 1
        if self.type not in (K_PT_G711A, K_PT_G711U) or self.chn in _aenc_channels:
            raise ValueError("kd_mpi_aenc_create_chn:%d faild" % self.chn)
        _aenc_channels.add(self.chn)
        self.init = True

    def destroy(self):
        if self.init:
            _aenc_channels.discard(self.chn)
            Encoder.chns_enable[self.chn] = 0
        self.init = False

    def encode(self, frame_data):
        coded = pyaudio._coded.get(bytes(frame_data)) if self.init else None
        if coded is None:
            raise ValueError("kd_mpi_aenc_send_frame:%d faild" % self.chn)
        return coded[0] if self.type == K_PT_G711A else coded[1]
