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
    slot->audio = false;
    slot->nal_count = au->nal_count;
    slot->pts_us = au->pts_us;
    slot->keyframe = au->keyframe;
    return 0;
}

static int stream_copy_chunk(struct stream_slot_s *slot, const struct audio_chunk_s *c) {
    if (c->samples > slot->cap) {
        uint8_t *bigger = realloc(slot->data, c->samples);
        if (!bigger) return -1;
        slot->data = bigger;
        slot->cap = c->samples;
    }
    memcpy(slot->data, c->data, c->samples);
    slot->audio = true;
    slot->nal_count = 0;
    slot->nal_size[0] = c->samples;
    slot->pts_us = c->pts_us;
    slot->keyframe = true; /* every chunk of G.711 stands alone */
    return 0;
}

/* On the camera thread: queue the access unit or drop it; never wait for the sink. */
static bool stream_on_au(void *ctx, const struct camera_au_s *au) {
    struct stream_s *s = ctx;
    pthread_mutex_lock(&s->lock);
    bool want_idr = s->idr_wanted;
    s->idr_wanted = false;
    if (!keyframe_gate_pass(&s->gate, au->keyframe)) {
        s->stats.dropped++;
    } else if (s->count == s->depth) {
        s->stats.dropped++;
        keyframe_gate_close(&s->gate);
        want_idr = true;
    } else {
        struct stream_slot_s *slot = &s->slots[(s->head + s->count) % s->depth];
        if (stream_copy_au(slot, au) < 0) {
            s->stats.dropped++;
            keyframe_gate_close(&s->gate);
            want_idr = true;
        } else {
            s->count++;
            pthread_cond_signal(&s->wake);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return want_idr;
}

/* On the microphone's thread: queue the chunk, or drop it alone when the queue is full. */
static void stream_on_chunk(void *ctx, const struct audio_chunk_s *c) {
    struct stream_s *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (s->count == s->depth || stream_copy_chunk(&s->slots[(s->head + s->count) % s->depth], c) < 0) {
        s->stats.audio_dropped++;
    } else {
        s->count++;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
}

/* A chunk of sound at its place on the stream's timeline: the same origin as the pictures (the
 * first keyframe's pts), counted in samples. Chunks from before the first picture are not kept. */
static int stream_send_chunk(struct stream_s *s, const struct stream_slot_s *slot, uint32_t number,
                             uint32_t sequence) {
    int rate = s->track.audio.rate;
    int64_t since_us = slot->pts_us - s->first_pts_us;
    if (s->track.audio.codec == AUDIO_CODEC_OFF || since_us < 0) return 1; /* no sound track, or before it */
    struct stream_fragment_s f = {.audio = true, .sequence = sequence, .pts_us = slot->pts_us, .keyframe = true};
    uint8_t boxes[FMP4_FRAGMENT_HEADER_MAX];
    uint32_t samples = (uint32_t)slot->nal_size[0];
    size_t box_size = fmp4_write_fragment(boxes, sizeof(boxes), number, FMP4_AUDIO_TRACK,
                                          fmp4_sound_decode_time(since_us, rate), samples, samples, 1);
    f.parts[f.part_count++] = (struct iovec){boxes, box_size};
    f.parts[f.part_count++] = (struct iovec){slot->data, samples};
    f.size = box_size + samples;
    pthread_mutex_lock(&s->lock);
    f.dropped = s->stats.audio_dropped;
    pthread_mutex_unlock(&s->lock);
    return s->sink.fragment(s->sink.ctx, &f);
}

static int stream_send_fragment(struct stream_s *s, const struct stream_slot_s *slot, uint32_t number,
                                uint32_t sequence) {
    struct stream_fragment_s f = {.sequence = sequence, .pts_us = slot->pts_us, .keyframe = slot->keyframe};
    uint8_t boxes[FMP4_FRAGMENT_HEADER_MAX];
    uint8_t lengths[CAMERA_MAX_NALS][4];
    size_t sample = 0;
    for (size_t i = 0; i < slot->nal_count; i++) sample += 4 + slot->nal_size[i];
    uint64_t decode_time = fmp4_picture_decode_time(slot->pts_us - s->first_pts_us);
    size_t box_size = fmp4_write_fragment(boxes, sizeof(boxes), number, FMP4_VIDEO_TRACK, decode_time,
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
    s->track.audio = s->sound ? s->settings.audio : (struct audio_settings_s){.codec = AUDIO_CODEC_OFF};
    s->track.source = s->settings.source;
    uint8_t init[2048];
    size_t size = fmp4_write_init(&s->track, init, sizeof(init));
    return size ? s->sink.init(s->sink.ctx, &s->track, init, size) : -1;
}

static void *stream_sender_run(void *arg) {
    struct stream_s *s = arg;
    uint32_t number = 1, pictures = 1, chunks = 1; /* mfhd over both tracks; each kind's own count */
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->running && s->count == 0) pthread_cond_wait(&s->wake, &s->lock);
        if (!s->running) {
            pthread_mutex_unlock(&s->lock);
            return NULL;
        }
        struct stream_slot_s *slot = &s->slots[s->head]; /* stays ours until count drops */
        pthread_mutex_unlock(&s->lock);

        if (slot->audio) {
            int rc = s->have_track ? stream_send_chunk(s, slot, number, chunks) : 1;
            if (rc == 0) number++, chunks++;
            pthread_mutex_lock(&s->lock);
            s->head = (s->head + 1) % s->depth;
            s->count--;
            if (rc == 0) s->stats.audio_sent++;
            else if (rc < 0) s->stats.audio_dropped++;
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        int rc = stream_prepare_track(s, slot);
        if (rc == 0) rc = stream_send_fragment(s, slot, number, pictures);
        if (rc == 0) number++, pictures++;

        pthread_mutex_lock(&s->lock);
        s->head = (s->head + 1) % s->depth;
        s->count--;
        if (rc == 0) {
            s->stats.sent++;
        } else if (s->have_track) {
            /* A fragment that did not go out whole breaks the references of the pictures after it;
             * the sound queued behind it goes on. */
            size_t kept = 0;
            for (size_t i = 0; i < s->count; i++) {
                struct stream_slot_s *from = &s->slots[(s->head + i) % s->depth];
                if (!from->audio) {
                    s->stats.dropped++;
                    continue;
                }
                struct stream_slot_s *to = &s->slots[(s->head + kept) % s->depth];
                if (to != from) {
                    struct stream_slot_s swap = *to;
                    *to = *from;
                    *from = swap;
                }
                kept++;
            }
            s->stats.dropped++;
            s->count = kept;
            keyframe_gate_close(&s->gate);
            s->idr_wanted = true;
        }
        pthread_mutex_unlock(&s->lock);
    }
}

int stream_start(struct stream_s *s, const struct camera_settings_s *settings, char *err, size_t err_len) {
    /* Settings the camera cannot take leave a running stream as it runs. */
    if (camera_settings_check(s->backend, settings, err, err_len) < 0) return -1;
    if (audio_settings_check(&settings->audio, err, err_len) < 0) return -1;
    stream_stop(s);
    s->settings = *settings;
    s->head = s->count = 0;
    keyframe_gate_init(&s->gate);
    s->idr_wanted = false;
    s->have_track = false;
    memset(&s->stats, 0, sizeof(s->stats));
    s->running = true;
    if (pthread_create(&s->sender, NULL, stream_sender_run, s) != 0) {
        s->running = false;
        snprintf(err, err_len, "cannot start the sender thread");
        return -1;
    }
    /* The microphone first: the first keyframe's init segment says whether there is sound, and its
     * chunks (track 2) go out only when it did. */
    const struct audio_backend_s *mic = s->backend->audio;
    if (settings->audio.codec != AUDIO_CODEC_OFF) {
        char why[160] = "this board has no microphone";
        if (mic && (mic->codecs & (1u << settings->audio.codec)))
            s->mic = mic->open(&settings->audio, stream_on_chunk, s, why, sizeof(why));
        if (!s->mic) fprintf(stderr, "agent: no sound: %s; the video goes on\n", why);
    }
    s->sound = s->mic != NULL; /* set before the camera's first frame, read by the sender after it */
    s->cam = s->backend->open(settings, stream_on_au, s, err, err_len);
    if (!s->cam) {
        stream_stop(s);
        return -1;
    }
    return 0;
}

void stream_stop(struct stream_s *s) {
    if (s->mic) {
        s->backend->audio->close(s->mic);
        s->mic = NULL;
    }
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
