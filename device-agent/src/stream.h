/* The live stream service: the camera's access units, muxed one fragment each, sent on the link.
 * The send queue is bounded; when the link falls behind, frames are dropped up to the next IDR. */
#ifndef K230_STREAM_H
#define K230_STREAM_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "camera.h"
#include "fmp4.h"
#include "link.h"

#define STREAM_QUEUE_DEPTH 6

struct stream_slot_s {
    uint8_t *data; /* the access unit's NAL units, back to back */
    size_t cap;
    int64_t pts_us;
    bool keyframe;
    size_t nal_count;
    size_t nal_size[CAMERA_MAX_NALS];
};

struct stream_stats_s {
    uint32_t sent;
    uint32_t dropped; /* frames the encoder made that never went on the link */
};

struct stream_s {
    const struct camera_backend_s *backend;
    struct link_s *link;
    struct camera_s *cam;
    struct camera_settings_s settings;
    pthread_t sender;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct stream_slot_s slots[STREAM_QUEUE_DEPTH];
    size_t head, count;
    bool running;
    bool waiting_for_idr;
    bool idr_wanted; /* handed to the camera with the next access unit */
    struct stream_stats_s stats;
    /* sender thread only */
    struct fmp4_track_s track;
    bool have_track;
    int64_t first_pts_us;
};

void stream_init(struct stream_s *s, const struct camera_backend_s *backend, struct link_s *link);
void stream_destroy(struct stream_s *s);
/* Starts (or restarts with new settings). 0, or -1 with err filled. */
int stream_start(struct stream_s *s, const struct camera_settings_s *settings, char *err, size_t err_len);
void stream_stop(struct stream_s *s);
bool stream_running(const struct stream_s *s);
int stream_request_idr(struct stream_s *s);
int stream_set_bitrate(struct stream_s *s, int kbps);

#endif
