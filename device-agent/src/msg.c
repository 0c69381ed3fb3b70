#include "msg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

struct msg_reader_s {
    const uint8_t *p;
    size_t left;
    int bad;
};

static const uint8_t *msg_take(struct msg_reader_s *r, size_t n) {
    if (r->bad || n > r->left) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    r->left -= n;
    return at;
}

static uint8_t msg_u8(struct msg_reader_s *r) {
    const uint8_t *p = msg_take(r, 1);
    return p ? p[0] : 0;
}

static uint16_t msg_u16(struct msg_reader_s *r) {
    const uint8_t *p = msg_take(r, 2);
    return p ? bytes_get_u16le(p) : 0;
}

static uint32_t msg_u32(struct msg_reader_s *r) {
    const uint8_t *p = msg_take(r, 4);
    return p ? bytes_get_u32le(p) : 0;
}

static uint64_t msg_u64(struct msg_reader_s *r) {
    const uint8_t *p = msg_take(r, 8);
    return p ? bytes_get_u64le(p) : 0;
}

static void msg_string(struct msg_reader_s *r, char out[MSG_STRING_MAX + 1]) {
    uint8_t n = msg_u8(r);
    const uint8_t *p = msg_take(r, n);
    if (!p) n = 0;
    memcpy(out, p ? (const char *)p : "", n);
    out[n] = '\0';
}

static void msg_settings(struct msg_reader_s *r, struct msg_stream_settings_s *s) {
    s->width = msg_u16(r);
    s->height = msg_u16(r);
    s->fps = msg_u16(r);
    s->codec = msg_u8(r);
    s->profile = msg_u8(r);
    s->bitrate_kbps = msg_u32(r);
    s->gop = msg_u16(r);
}

int msg_decode(uint8_t type, uint32_t id, const uint8_t *payload, size_t len, struct msg_s *out) {
    struct msg_reader_s r = {payload, len, 0};
    memset(out, 0, sizeof(*out));
    out->type = type;
    out->id = id;
    switch (type) {
    case MSG_HELLO:
        out->u.hello.protocol_version = msg_u16(&r);
        msg_string(&r, out->u.hello.host_name);
        break;
    case MSG_STREAM_START:
        msg_settings(&r, &out->u.stream_start);
        break;
    case MSG_STREAM_STOP:
    case MSG_REQUEST_IDR:
    case MSG_OK:
        break;
    case MSG_SET_BITRATE:
        out->u.set_bitrate.bitrate_kbps = msg_u32(&r);
        break;
    case MSG_PING:
        out->u.ping.host_time_us = msg_u64(&r);
        break;
    case MSG_HELLO_REPLY:
        out->u.hello_reply.protocol_version = msg_u16(&r);
        msg_string(&r, out->u.hello_reply.agent_version);
        msg_string(&r, out->u.hello_reply.board_name);
        out->u.hello_reply.codecs = msg_u8(&r);
        out->u.hello_reply.max_width = msg_u16(&r);
        out->u.hello_reply.max_height = msg_u16(&r);
        out->u.hello_reply.max_fps = msg_u16(&r);
        out->u.hello_reply.storage = msg_u8(&r);
        break;
    case MSG_PONG:
        out->u.pong.host_time_us = msg_u64(&r);
        out->u.pong.board_time_us = msg_u64(&r);
        break;
    case MSG_ERROR:
        out->u.error.code = msg_u16(&r);
        msg_string(&r, out->u.error.message);
        break;
    case MSG_INIT_SEGMENT:
        out->u.init_segment.codec = msg_u8(&r);
        out->u.init_segment.width = msg_u16(&r);
        out->u.init_segment.height = msg_u16(&r);
        msg_string(&r, out->u.init_segment.codec_string);
        out->u.init_segment.data = r.p;
        out->u.init_segment.size = r.left;
        r.left = 0;
        break;
    case MSG_FRAGMENT:
        out->u.fragment.sequence = msg_u32(&r);
        out->u.fragment.pts_us = msg_u64(&r);
        out->u.fragment.flags = msg_u8(&r);
        out->u.fragment.dropped = msg_u32(&r);
        out->u.fragment.data = r.p;
        out->u.fragment.size = r.left;
        r.left = 0;
        break;
    default:
        return -1;
    }
    /* Trailing bytes are refused too: a request that does not parse exactly is not trusted. */
    return (r.bad || r.left) ? -1 : 0;
}

static void msg_put_string(struct bytes_writer_s *w, const char *s) {
    size_t n = strlen(s);
    if (n > MSG_STRING_MAX) n = MSG_STRING_MAX;
    bytes_put_u8(w, (uint8_t)n);
    bytes_put(w, s, n);
}

void msg_fragment_head(uint8_t out[MSG_FRAGMENT_HEAD_SIZE], uint32_t sequence, uint64_t pts_us, uint8_t flags,
                       uint32_t dropped) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, MSG_FRAGMENT_HEAD_SIZE);
    bytes_put_u32le(&w, sequence);
    bytes_put_u64le(&w, pts_us);
    bytes_put_u8(&w, flags);
    bytes_put_u32le(&w, dropped);
}

long msg_encode_payload(const struct msg_s *m, uint8_t *out, size_t cap) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, cap);
    const struct msg_stream_settings_s *s = &m->u.stream_start;
    switch (m->type) {
    case MSG_HELLO:
        bytes_put_u16le(&w, m->u.hello.protocol_version);
        msg_put_string(&w, m->u.hello.host_name);
        break;
    case MSG_STREAM_START:
        bytes_put_u16le(&w, s->width);
        bytes_put_u16le(&w, s->height);
        bytes_put_u16le(&w, s->fps);
        bytes_put_u8(&w, s->codec);
        bytes_put_u8(&w, s->profile);
        bytes_put_u32le(&w, s->bitrate_kbps);
        bytes_put_u16le(&w, s->gop);
        break;
    case MSG_STREAM_STOP:
    case MSG_REQUEST_IDR:
    case MSG_OK:
        break;
    case MSG_SET_BITRATE:
        bytes_put_u32le(&w, m->u.set_bitrate.bitrate_kbps);
        break;
    case MSG_PING:
        bytes_put_u64le(&w, m->u.ping.host_time_us);
        break;
    case MSG_HELLO_REPLY:
        bytes_put_u16le(&w, m->u.hello_reply.protocol_version);
        msg_put_string(&w, m->u.hello_reply.agent_version);
        msg_put_string(&w, m->u.hello_reply.board_name);
        bytes_put_u8(&w, m->u.hello_reply.codecs);
        bytes_put_u16le(&w, m->u.hello_reply.max_width);
        bytes_put_u16le(&w, m->u.hello_reply.max_height);
        bytes_put_u16le(&w, m->u.hello_reply.max_fps);
        bytes_put_u8(&w, m->u.hello_reply.storage);
        break;
    case MSG_PONG:
        bytes_put_u64le(&w, m->u.pong.host_time_us);
        bytes_put_u64le(&w, m->u.pong.board_time_us);
        break;
    case MSG_ERROR:
        bytes_put_u16le(&w, m->u.error.code);
        msg_put_string(&w, m->u.error.message);
        break;
    case MSG_INIT_SEGMENT:
        bytes_put_u8(&w, m->u.init_segment.codec);
        bytes_put_u16le(&w, m->u.init_segment.width);
        bytes_put_u16le(&w, m->u.init_segment.height);
        msg_put_string(&w, m->u.init_segment.codec_string);
        bytes_put(&w, m->u.init_segment.data, m->u.init_segment.size);
        break;
    case MSG_FRAGMENT: {
        uint8_t head[MSG_FRAGMENT_HEAD_SIZE];
        msg_fragment_head(head, m->u.fragment.sequence, m->u.fragment.pts_us, m->u.fragment.flags,
                          m->u.fragment.dropped);
        bytes_put(&w, head, sizeof(head));
        bytes_put(&w, m->u.fragment.data, m->u.fragment.size);
        break;
    }
    default:
        return -1;
    }
    return w.overflow ? -1 : (long)w.len;
}

struct msg_text_s {
    char *out;
    size_t cap, len;
};

static void msg_line(struct msg_text_s *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->cap ? t->cap - t->len : 0;
    int n = vsnprintf(t->out + t->len, room, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

static void msg_hex(struct msg_text_s *t, const char *key, const uint8_t *p, size_t n) {
    msg_line(t, "%s = ", key);
    for (size_t i = 0; i < n; i++) msg_line(t, "%02x", p[i]);
    msg_line(t, "\n");
}

const char *msg_type_name(uint8_t type) {
    switch (type) {
    case MSG_HELLO: return "HELLO";
    case MSG_STREAM_START: return "STREAM_START";
    case MSG_STREAM_STOP: return "STREAM_STOP";
    case MSG_REQUEST_IDR: return "REQUEST_IDR";
    case MSG_SET_BITRATE: return "SET_BITRATE";
    case MSG_PING: return "PING";
    case MSG_OK: return "OK";
    case MSG_HELLO_REPLY: return "HELLO_REPLY";
    case MSG_PONG: return "PONG";
    case MSG_ERROR: return "ERROR";
    case MSG_INIT_SEGMENT: return "INIT_SEGMENT";
    case MSG_FRAGMENT: return "FRAGMENT";
    default: return "UNKNOWN";
    }
}

size_t msg_dump(const struct msg_s *m, char *out, size_t cap) {
    struct msg_text_s t = {out, cap, 0};
    if (cap) out[0] = '\0';
    const struct msg_stream_settings_s *s = &m->u.stream_start;
    msg_line(&t, "type = %s\nid = %" PRIu32 "\n", msg_type_name(m->type), m->id);
    switch (m->type) {
    case MSG_HELLO:
        msg_line(&t, "protocol_version = %u\nhost_name = %s\n", m->u.hello.protocol_version, m->u.hello.host_name);
        break;
    case MSG_STREAM_START:
        msg_line(&t, "width = %u\nheight = %u\nfps = %u\ncodec = %u\nprofile = %u\nbitrate_kbps = %" PRIu32
                     "\ngop = %u\n",
                 s->width, s->height, s->fps, s->codec, s->profile, s->bitrate_kbps, s->gop);
        break;
    case MSG_SET_BITRATE:
        msg_line(&t, "bitrate_kbps = %" PRIu32 "\n", m->u.set_bitrate.bitrate_kbps);
        break;
    case MSG_PING:
        msg_line(&t, "host_time_us = %" PRIu64 "\n", m->u.ping.host_time_us);
        break;
    case MSG_HELLO_REPLY:
        msg_line(&t, "protocol_version = %u\nagent_version = %s\nboard_name = %s\ncodecs = %u\nmax_width = %u\n"
                     "max_height = %u\nmax_fps = %u\nstorage = %u\n",
                 m->u.hello_reply.protocol_version, m->u.hello_reply.agent_version, m->u.hello_reply.board_name,
                 m->u.hello_reply.codecs, m->u.hello_reply.max_width, m->u.hello_reply.max_height,
                 m->u.hello_reply.max_fps, m->u.hello_reply.storage);
        break;
    case MSG_PONG:
        msg_line(&t, "host_time_us = %" PRIu64 "\nboard_time_us = %" PRIu64 "\n", m->u.pong.host_time_us,
                 m->u.pong.board_time_us);
        break;
    case MSG_ERROR:
        msg_line(&t, "code = %u\nmessage = %s\n", m->u.error.code, m->u.error.message);
        break;
    case MSG_INIT_SEGMENT:
        msg_line(&t, "codec = %u\nwidth = %u\nheight = %u\ncodec_string = %s\n", m->u.init_segment.codec,
                 m->u.init_segment.width, m->u.init_segment.height, m->u.init_segment.codec_string);
        msg_hex(&t, "data", m->u.init_segment.data, m->u.init_segment.size);
        break;
    case MSG_FRAGMENT:
        msg_line(&t, "sequence = %" PRIu32 "\npts_us = %" PRIu64 "\nflags = %u\ndropped = %" PRIu32 "\n",
                 m->u.fragment.sequence, m->u.fragment.pts_us, m->u.fragment.flags, m->u.fragment.dropped);
        msg_hex(&t, "data", m->u.fragment.data, m->u.fragment.size);
        break;
    default:
        break;
    }
    return t.len;
}
