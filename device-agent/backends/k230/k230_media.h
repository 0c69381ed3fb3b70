/* The board's shared media pipeline under the encoder channels: the VB pools, the sensor and its
 * VICAP device, and one VICAP output channel (NV12) per open encoder, bound to the VENC channel of
 * the same number. Every function here takes the module's one lock; none is called per frame
 * except k230_media_pts_us. */
#ifndef K230_MEDIA_H
#define K230_MEDIA_H
#include <stddef.h>
#include <stdint.h>

#define K230_MEDIA_MAX_WIDTH 1920
#define K230_MEDIA_MAX_HEIGHT 1080
#define K230_MEDIA_MAX_FPS 30
/* Live preview and a board recording. VENC channels 0..2 only: 3 is the CanMV IDE's JPEG channel. */
#define K230_MEDIA_MAX_CHANNELS 2
/* The display's encoder channel (k230_display.h: VENC channel 2), fed by hand, no VICAP; and the
 * write-back frames it may hold, which the VB pools make room for. */
#define K230_MEDIA_DISPLAY_CHANNELS 1
#define K230_MEDIA_WBC_BUFS 3
#define K230_MEDIA_STREAM_BUFS 6 /* VENC output buffers per channel */
/* The microphone's frames (ai: 20 ms of 16-bit PCM, at most 640 bytes; aenc: its G.711), for the live
 * view's and a board recording's encoder channels together, with room for what is in flight. */
#define K230_MEDIA_AUDIO_BUF_SIZE 4096
#define K230_MEDIA_AUDIO_BUFS 32
/* Every VENC output buffer has this size, so VENC always takes its blocks from the stream pool. */
#define K230_MEDIA_STREAM_BUF_SIZE \
    K230_MEDIA_ALIGN_4K((size_t)K230_MEDIA_MAX_WIDTH * K230_MEDIA_MAX_HEIGHT * 3 / 4)
#define K230_MEDIA_ALIGN_4K(n) (((n) + 0xfffu) & ~(size_t)0xfffu)

/* Holds the VB pools (set up by the first holder, freed by the last), for a user of VENC without the
 * sensor: the display. -1 with err. */
int k230_media_hold(char *err, size_t err_len);
void k230_media_drop(void);
/* Claims a free channel number (VB pools and the sensor are set up by the first claim); -1 with err. */
int k230_media_claim(int *chn, int *sensor_fps, char *err, size_t err_len);
/* Starts the claimed channel's NV12 output at width x height into its VENC channel, which must exist:
 * VICAP is restarted with every started channel (its channels are fixed from init to deinit). */
int k230_media_start(int chn, int width, int height, char *err, size_t err_len);
/* Stops the channel's output (the others restart); its VENC channel may then be destroyed. */
void k230_media_stop(int chn);
/* Gives the channel number back; the last one out frees the VB pools. */
void k230_media_release(int chn);
/* Detaches / reattaches VICAP from a channel's VENC, around rebuilding the encoder. */
int k230_media_unbind(int chn);
int k230_media_bind(int chn);
/* A VENC pts (microseconds) on the agent's clock (CLOCK_MONOTONIC, the base of PONG's board time). */
int64_t k230_media_pts_us(uint64_t venc_pts_us);
/* The same rule for a clock of another unit's stamps (the display's write-back): *offset starts at
 * K230_MEDIA_OFFSET_UNSET and is fixed by the first stamp. */
#define K230_MEDIA_OFFSET_UNSET INT64_MIN
int64_t k230_media_stamp_us(_Atomic int64_t *offset, uint64_t stamp_us, const char *what);

#endif
