/* An encoder pipeline: a camera channel's access units, and the microphone's chunks when the
 * settings ask for sound, through one bounded queue in the order they come, muxed one fragment
 * each, handed to a sink (the link for the live view, a file for a board recording).
 * The queue never blocks the encoder: when the sink falls behind, frames are dropped up to the
 * next IDR and counted; a chunk of sound that does not fit is dropped alone (a gap, never a shift:
 * every fragment's time comes from its own pts). */
#ifndef K230_STREAM_H
#define K230_STREAM_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "camera.h"
#include "fmp4.h"
#include "keyframe_gate.h"

#define STREAM_MAX_QUEUE 32
#define STREAM_MAX_PARTS (1 + 2 * CAMERA_MAX_NALS)

struct stream_slot_s {
    bool audio;    /* a chunk of sound: data holds its G.711 samples, nal_count is 0 */
    uint8_t *data; /* the access unit's NAL units, back to back */
    size_t cap;
    int64_t pts_us;
    bool keyframe;
    size_t nal_count;
    size_t nal_size[CAMERA_MAX_NALS];
};

/* One muxed frame as it leaves the pipeline: moof + mdat header, then each NAL's length and bytes,
 * pointing at the queue slot (nothing copied). */
struct stream_fragment_s {
    bool audio;        /* a chunk of sound (FMP4_AUDIO_TRACK) rather than a picture */
    uint32_t sequence; /* counts this kind of fragment: pictures and chunks each from 1 */
    int64_t pts_us;
    bool keyframe;
    uint32_t dropped;
    struct iovec parts[STREAM_MAX_PARTS];
    int part_count;
    size_t size;
};

struct stream_sink_s {
    void *ctx;
    /* A new init segment (first keyframe, or new parameter sets). 0, or -1 when it did not go out. */
    int (*init)(void *ctx, const struct fmp4_track_s *track, const uint8_t *init, size_t size);
    /* 0, or -1 when the fragment did not go out whole (the next frames then wait for an IDR). */
    int (*fragment)(void *ctx, const struct stream_fragment_s *f);
};

struct stream_stats_s {
    uint32_t sent;
    uint32_t dropped; /* frames the encoder made that never reached the sink */
    uint32_t audio_sent;
    uint32_t audio_dropped; /* chunks of sound that never reached the sink */
};

struct stream_s {
    const struct camera_backend_s *backend;
    struct stream_sink_s sink;
    size_t depth;
    struct camera_s *cam;
    struct audio_s *mic; /* NULL: no sound in this stream */
    bool sound;          /* the microphone opened: init segments have the sound track */
    struct camera_settings_s settings;
    pthread_t sender;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct stream_slot_s slots[STREAM_MAX_QUEUE];
    size_t head, count;
    bool running;
    struct keyframe_gate_s gate; /* closed by a picture dropped or not sent whole */
    bool idr_wanted; /* handed to the camera with the next access unit */
    struct stream_stats_s stats;
    /* sender thread only */
    struct fmp4_track_s track;
    bool have_track;
    int64_t first_pts_us;
};

void stream_init(struct stream_s *s, const struct camera_backend_s *backend, struct stream_sink_s sink, size_t depth);
void stream_destroy(struct stream_s *s);
/* Starts (or restarts with new settings). 0, or -1 with err filled. Sound the board cannot give
 * (no microphone, or it would not open) leaves the stream video only: its init segment says so. */
int stream_start(struct stream_s *s, const struct camera_settings_s *settings, char *err, size_t err_len);
void stream_stop(struct stream_s *s);
bool stream_running(const struct stream_s *s);
int stream_request_idr(struct stream_s *s);
int stream_set_bitrate(struct stream_s *s, int kbps);
struct stream_stats_s stream_stats(struct stream_s *s);

#endif
