#include "live.h"

#include <stdio.h>

#include "msg.h"

static int live_init(void *ctx, const struct fmp4_track_s *track, const uint8_t *init, size_t size) {
    struct msg_s m = {.type = MSG_INIT_SEGMENT};
    m.u.init_segment.codec = (uint8_t)track->codec;
    m.u.init_segment.width = (uint16_t)track->width;
    m.u.init_segment.height = (uint16_t)track->height;
    snprintf(m.u.init_segment.codec_string, sizeof(m.u.init_segment.codec_string), "%s", track->codec_string);
    m.u.init_segment.audio = (uint8_t)track->audio.codec;
    m.u.init_segment.audio_rate = track->audio.codec != AUDIO_CODEC_OFF ? (uint16_t)track->audio.rate : 0;
    m.u.init_segment.source = (uint8_t)track->source;
    m.u.init_segment.data = (struct msg_bytes_s){init, size};
    uint8_t payload[2048 + 300];
    long len = msg_encode_payload(&m, payload, sizeof(payload));
    if (len < 0) return -1;
    struct iovec part = {payload, (size_t)len};
    return link_send(ctx, MSG_INIT_SEGMENT, 0, &part, 1);
}

static int live_fragment(void *ctx, const struct stream_fragment_s *f) {
    /* The FRAGMENT's (or AUDIO_FRAGMENT's) fields, encoded without its data: the moof+mdat go from
     * where they lie. */
    struct msg_s m = {.type = f->audio ? MSG_AUDIO_FRAGMENT : MSG_FRAGMENT};
    if (f->audio) {
        m.u.audio_fragment.sequence = f->sequence;
        m.u.audio_fragment.pts_us = (uint64_t)f->pts_us;
        m.u.audio_fragment.dropped = f->dropped;
    } else {
        m.u.fragment.sequence = f->sequence;
        m.u.fragment.pts_us = (uint64_t)f->pts_us;
        m.u.fragment.flags = f->keyframe ? MSG_FRAGMENT_KEYFRAME : 0;
        m.u.fragment.dropped = f->dropped;
    }
    uint8_t head[32];
    long head_len = msg_encode_payload(&m, head, sizeof(head));
    struct iovec parts[1 + STREAM_MAX_PARTS];
    parts[0] = (struct iovec){head, (size_t)head_len};
    for (int i = 0; i < f->part_count; i++) parts[i + 1] = f->parts[i];
    return link_send(ctx, m.type, 0, parts, f->part_count + 1);
}

struct stream_sink_s live_sink(struct link_s *link) {
    return (struct stream_sink_s){.ctx = link, .init = live_init, .fragment = live_fragment};
}
