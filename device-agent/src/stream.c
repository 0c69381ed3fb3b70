#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

void stream_init(struct stream_s *s, const struct camera_backend_s *backend, struct stream_sink_s sink, size_t depth) {
    memset(s, 0, sizeof(*s));
    s->backend = backend;
    s->sink = sink;
    s->depth = depth < 2 ? 2 : depth > STREAM_MAX_QUEUE ? STREAM_MAX_QUEUE : depth;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
}

void stream_destroy(struct stream_s *s) {
    stream_stop(s);
    for (size_t i = 0; i < STREAM_MAX_QUEUE; i++) free(s->slots[i].data);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
}

static int stream_copy_au(struct stream_slot_s *slot, const struct camera_au_s *au) {
    size_t total = 0;
    for (size_t i = 0; i < au->nal_count; i++) total += au->nals[i].size;
    if (total > slot->cap) {
        uint8_t *bigger = realloc(slot->data, total);
        if (!bigger) return -1;
        slot->data = bigger;
        slot->cap = total;
    }
    size_t at = 0;
    for (size_t i = 0; i < au->nal_count; i++) {
        memcpy(slot->data + at, au->nals[i].data, au->nals[i].size);
        slot->nal_size[i] = au->nals[i].size;
        at += au->nals[i].size;
    }
    slot->nal_count = au->nal_count;
    slot->pts_us = au->pts_us;
    slot->keyframe = au->keyframe;
    return 0;
}

/* On the camera thread: queue the access unit or drop it; never wait for the sink. */
static bool stream_on_au(void *ctx, const struct camera_au_s *au) {
    struct stream_s *s = ctx;
    pthread_mutex_lock(&s->lock);
    bool want_idr = s->idr_wanted;
    s->idr_wanted = false;
    if (s->waiting_for_idr && !au->keyframe) {
        s->stats.dropped++;
    } else if (s->count == s->depth) {
        s->stats.dropped++;
        s->waiting_for_idr = true;
        want_idr = true;
    } else {
        struct stream_slot_s *slot = &s->slots[(s->head + s->count) % s->depth];
        if (stream_copy_au(slot, au) < 0) {
            s->stats.dropped++;
            s->waiting_for_idr = want_idr = true;
        } else {
            s->waiting_for_idr = false;
            s->count++;
            pthread_cond_signal(&s->wake);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return want_idr;
}

static int stream_send_fragment(struct stream_s *s, const struct stream_slot_s *slot, uint32_t sequence) {
    struct stream_fragment_s f = {.sequence = sequence, .pts_us = slot->pts_us, .keyframe = slot->keyframe};
    uint8_t boxes[FMP4_FRAGMENT_HEADER_MAX];
    uint8_t lengths[CAMERA_MAX_NALS][4];
    size_t sample = 0;
    for (size_t i = 0; i < slot->nal_count; i++) sample += 4 + slot->nal_size[i];
    uint64_t decode_time = (uint64_t)(slot->pts_us - s->first_pts_us) * FMP4_TIMESCALE / 1000000u;
    size_t box_size = fmp4_write_fragment(boxes, sizeof(boxes), sequence, decode_time,
                                          FMP4_TIMESCALE / (uint32_t)s->settings.fps, (uint32_t)sample, slot->keyframe);
    f.parts[f.part_count++] = (struct iovec){boxes, box_size};
    size_t at = 0;
    for (size_t i = 0; i < slot->nal_count; i++) {
        bytes_set_u32be(lengths[i], (uint32_t)slot->nal_size[i]);
        f.parts[f.part_count++] = (struct iovec){lengths[i], 4};
        f.parts[f.part_count++] = (struct iovec){slot->data + at, slot->nal_size[i]}; /* in place, not copied */
        at += slot->nal_size[i];
    }
    f.size = box_size + sample;
    pthread_mutex_lock(&s->lock);
    f.dropped = s->stats.dropped;
    pthread_mutex_unlock(&s->lock);
    return s->sink.fragment(s->sink.ctx, &f);
}

/* Keeps the track in step with the stream: a keyframe with new parameter sets gets a new init segment. */
static int stream_prepare_track(struct stream_s *s, const struct stream_slot_s *slot) {
    if (!slot->keyframe) return s->have_track ? 0 : -1;
    struct camera_au_s au = {.nal_count = slot->nal_count};
    size_t at = 0;
    for (size_t i = 0; i < slot->nal_count; i++) {
        au.nals[i] = (struct camera_nal_s){slot->data + at, slot->nal_size[i]};
        at += slot->nal_size[i];
    }
    if (s->have_track && !fmp4_track_changed(&s->track, &au)) return 0;
    if (fmp4_track_from_keyframe(&s->track, s->settings.codec, s->settings.width, s->settings.height,
                                 s->settings.fps, &au) < 0)
        return -1;
    if (!s->have_track) s->first_pts_us = slot->pts_us;
    s->have_track = true;
    uint8_t init[2048];
    size_t size = fmp4_write_init(&s->track, init, sizeof(init));
    return size ? s->sink.init(s->sink.ctx, &s->track, init, size) : -1;
}

static void *stream_sender_run(void *arg) {
    struct stream_s *s = arg;
    uint32_t sequence = 1;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->running && s->count == 0) pthread_cond_wait(&s->wake, &s->lock);
        if (!s->running) {
            pthread_mutex_unlock(&s->lock);
            return NULL;
        }
        struct stream_slot_s *slot = &s->slots[s->head]; /* stays ours until count drops */
        pthread_mutex_unlock(&s->lock);

        int rc = stream_prepare_track(s, slot);
        if (rc == 0) rc = stream_send_fragment(s, slot, sequence);
        if (rc == 0) sequence++;

        pthread_mutex_lock(&s->lock);
        s->head = (s->head + 1) % s->depth;
        s->count--;
        if (rc == 0) {
            s->stats.sent++;
        } else if (s->have_track) {
            /* A fragment that did not go out whole breaks the references of those after it. */
            s->stats.dropped += 1 + (uint32_t)s->count;
            s->head = (s->head + s->count) % s->depth;
            s->count = 0;
            s->waiting_for_idr = true;
            s->idr_wanted = true;
        }
        pthread_mutex_unlock(&s->lock);
    }
}

int stream_start(struct stream_s *s, const struct camera_settings_s *settings, char *err, size_t err_len) {
    /* Settings the camera cannot take leave a running stream as it runs. */
    if (camera_settings_check(s->backend, settings, err, err_len) < 0) return -1;
    stream_stop(s);
    s->settings = *settings;
    s->head = s->count = 0;
    s->waiting_for_idr = false;
    s->idr_wanted = false;
    s->have_track = false;
    memset(&s->stats, 0, sizeof(s->stats));
    s->running = true;
    if (pthread_create(&s->sender, NULL, stream_sender_run, s) != 0) {
        s->running = false;
        snprintf(err, err_len, "cannot start the sender thread");
        return -1;
    }
    s->cam = s->backend->open(settings, stream_on_au, s, err, err_len);
    if (!s->cam) {
        stream_stop(s);
        return -1;
    }
    return 0;
}

void stream_stop(struct stream_s *s) {
    if (s->cam) {
        s->backend->close(s->cam);
        s->cam = NULL;
    }
    pthread_mutex_lock(&s->lock);
    bool was_running = s->running;
    s->running = false;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (was_running) pthread_join(s->sender, NULL);
}

bool stream_running(const struct stream_s *s) { return s->cam != NULL; }

int stream_request_idr(struct stream_s *s) { return s->cam ? s->backend->request_idr(s->cam) : -1; }

struct stream_stats_s stream_stats(struct stream_s *s) {
    pthread_mutex_lock(&s->lock);
    struct stream_stats_s st = s->stats;
    pthread_mutex_unlock(&s->lock);
    return st;
}

int stream_set_bitrate(struct stream_s *s, int kbps) {
    if (!s->cam) return -1;
    s->settings.bitrate_kbps = kbps;
    return s->backend->set_bitrate(s->cam, kbps);
}
