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
    if (memchr(out, '\0', n)) r->bad = 1; /* a NUL would cut the copy short: refuse it, as in a path */
}

static void msg_path(struct msg_reader_s *r, char out[MSG_PATH_MAX + 1]) {
    uint16_t n = msg_u16(r);
    const uint8_t *p = n <= MSG_PATH_MAX ? msg_take(r, n) : NULL;
    if (!p) {
        r->bad = 1;
        n = 0;
    }
    memcpy(out, p ? (const char *)p : "", n);
    out[n] = '\0';
    if (memchr(out, '\0', n)) r->bad = 1; /* a NUL inside a path would cut it short: refuse */
}

/* Walks the entries of a list reply, checking each is whole. */
static void msg_check_entries(struct msg_reader_s *r, uint16_t count) {
    for (uint16_t i = 0; i < count && !r->bad; i++) {
        msg_take(r, MSG_LIST_ENTRY_FIXED);
        uint8_t n = msg_u8(r);
        msg_take(r, n);
    }
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
    case MSG_STORAGE_INFO:
    case MSG_BOARD_RECORD_STOP:
    case MSG_BOARD_RECORD_STATUS:
        break;
    case MSG_SET_BITRATE:
        out->u.set_bitrate.bitrate_kbps = msg_u32(&r);
        break;
    case MSG_FILE_LIST:
    case MSG_FILE_STAT:
    case MSG_FILE_CHECKSUM:
    case MSG_FILE_DELETE:
        msg_path(&r, out->u.file.path);
        break;
    case MSG_FILE_READ:
        msg_path(&r, out->u.file_read.path);
        out->u.file_read.offset = msg_u64(&r);
        out->u.file_read.length = msg_u32(&r);
        break;
    case MSG_BOARD_RECORD_START:
        msg_path(&r, out->u.board_record_start.path);
        msg_settings(&r, &out->u.board_record_start.settings);
        break;
    case MSG_FILE_LIST_REPLY: {
        out->u.file_list_reply.truncated = msg_u8(&r);
        out->u.file_list_reply.count = msg_u16(&r);
        const uint8_t *start = r.p;
        msg_check_entries(&r, out->u.file_list_reply.count);
        out->u.file_list_reply.entries = start;
        out->u.file_list_reply.size = (size_t)(r.p - start);
        break;
    }
    case MSG_FILE_STAT_REPLY:
        out->u.file_stat_reply.type = msg_u8(&r);
        out->u.file_stat_reply.size = msg_u64(&r);
        out->u.file_stat_reply.mtime_ms = msg_u64(&r);
        break;
    case MSG_FILE_DATA:
        out->u.file_data.offset = msg_u64(&r);
        out->u.file_data.data = r.p;
        out->u.file_data.size = r.left;
        r.left = 0;
        break;
    case MSG_FILE_CHECKSUM_REPLY: {
        out->u.file_checksum_reply.size = msg_u64(&r);
        const uint8_t *h = msg_take(&r, 32);
        if (h) memcpy(out->u.file_checksum_reply.sha256, h, 32);
        break;
    }
    case MSG_STORAGE_INFO_REPLY:
        out->u.storage_info_reply.total = msg_u64(&r);
        out->u.storage_info_reply.available = msg_u64(&r);
        break;
    case MSG_BOARD_RECORDING:
        out->u.board_recording.active = msg_u8(&r);
        msg_path(&r, out->u.board_recording.path);
        out->u.board_recording.elapsed_us = msg_u64(&r);
        out->u.board_recording.bytes = msg_u64(&r);
        out->u.board_recording.frames = msg_u32(&r);
        out->u.board_recording.dropped = msg_u32(&r);
        out->u.board_recording.error = msg_u16(&r);
        msg_string(&r, out->u.board_recording.message);
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

void msg_put_path(struct bytes_writer_s *w, const char *path) {
    size_t n = strlen(path);
    if (n > MSG_PATH_MAX) n = MSG_PATH_MAX;
    bytes_put_u16le(w, (uint16_t)n);
    bytes_put(w, path, n);
}

int msg_put_list_entry(struct bytes_writer_s *w, uint8_t type, uint64_t size, uint64_t mtime_ms, const char *name) {
    size_t n = strlen(name);
    if (n > MSG_STRING_MAX || w->overflow || w->cap - w->len < MSG_LIST_ENTRY_FIXED + 1 + n) return -1;
    bytes_put_u8(w, type);
    bytes_put_u64le(w, size);
    bytes_put_u64le(w, mtime_ms);
    msg_put_string(w, name);
    return 0;
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

static void msg_put_settings(struct bytes_writer_s *w, const struct msg_stream_settings_s *s) {
    bytes_put_u16le(w, s->width);
    bytes_put_u16le(w, s->height);
    bytes_put_u16le(w, s->fps);
    bytes_put_u8(w, s->codec);
    bytes_put_u8(w, s->profile);
    bytes_put_u32le(w, s->bitrate_kbps);
    bytes_put_u16le(w, s->gop);
}

long msg_encode_payload(const struct msg_s *m, uint8_t *out, size_t cap) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, cap);
    switch (m->type) {
    case MSG_HELLO:
        bytes_put_u16le(&w, m->u.hello.protocol_version);
        msg_put_string(&w, m->u.hello.host_name);
        break;
    case MSG_STREAM_START:
        msg_put_settings(&w, &m->u.stream_start);
        break;
    case MSG_STREAM_STOP:
    case MSG_REQUEST_IDR:
    case MSG_OK:
    case MSG_STORAGE_INFO:
    case MSG_BOARD_RECORD_STOP:
    case MSG_BOARD_RECORD_STATUS:
        break;
    case MSG_SET_BITRATE:
        bytes_put_u32le(&w, m->u.set_bitrate.bitrate_kbps);
        break;
    case MSG_FILE_LIST:
    case MSG_FILE_STAT:
    case MSG_FILE_CHECKSUM:
    case MSG_FILE_DELETE:
        msg_put_path(&w, m->u.file.path);
        break;
    case MSG_FILE_READ:
        msg_put_path(&w, m->u.file_read.path);
        bytes_put_u64le(&w, m->u.file_read.offset);
        bytes_put_u32le(&w, m->u.file_read.length);
        break;
    case MSG_BOARD_RECORD_START:
        msg_put_path(&w, m->u.board_record_start.path);
        msg_put_settings(&w, &m->u.board_record_start.settings);
        break;
    case MSG_FILE_LIST_REPLY:
        bytes_put_u8(&w, m->u.file_list_reply.truncated);
        bytes_put_u16le(&w, m->u.file_list_reply.count);
        bytes_put(&w, m->u.file_list_reply.entries, m->u.file_list_reply.size);
        break;
    case MSG_FILE_STAT_REPLY:
        bytes_put_u8(&w, m->u.file_stat_reply.type);
        bytes_put_u64le(&w, m->u.file_stat_reply.size);
        bytes_put_u64le(&w, m->u.file_stat_reply.mtime_ms);
        break;
    case MSG_FILE_DATA:
        bytes_put_u64le(&w, m->u.file_data.offset);
        bytes_put(&w, m->u.file_data.data, m->u.file_data.size);
        break;
    case MSG_FILE_CHECKSUM_REPLY:
        bytes_put_u64le(&w, m->u.file_checksum_reply.size);
        bytes_put(&w, m->u.file_checksum_reply.sha256, 32);
        break;
    case MSG_STORAGE_INFO_REPLY:
        bytes_put_u64le(&w, m->u.storage_info_reply.total);
        bytes_put_u64le(&w, m->u.storage_info_reply.available);
        break;
    case MSG_BOARD_RECORDING:
        bytes_put_u8(&w, m->u.board_recording.active);
        msg_put_path(&w, m->u.board_recording.path);
        bytes_put_u64le(&w, m->u.board_recording.elapsed_us);
        bytes_put_u64le(&w, m->u.board_recording.bytes);
        bytes_put_u32le(&w, m->u.board_recording.frames);
        bytes_put_u32le(&w, m->u.board_recording.dropped);
        bytes_put_u16le(&w, m->u.board_recording.error);
        msg_put_string(&w, m->u.board_recording.message);
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
    /* Past the end (or measuring with NULL, 0) no pointer into out is formed at all. */
    int n = vsnprintf(room ? t->out + t->len : NULL, room, fmt, ap);
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
    case MSG_FILE_LIST: return "FILE_LIST";
    case MSG_FILE_STAT: return "FILE_STAT";
    case MSG_FILE_READ: return "FILE_READ";
    case MSG_FILE_CHECKSUM: return "FILE_CHECKSUM";
    case MSG_FILE_DELETE: return "FILE_DELETE";
    case MSG_STORAGE_INFO: return "STORAGE_INFO";
    case MSG_BOARD_RECORD_START: return "BOARD_RECORD_START";
    case MSG_BOARD_RECORD_STOP: return "BOARD_RECORD_STOP";
    case MSG_BOARD_RECORD_STATUS: return "BOARD_RECORD_STATUS";
    case MSG_FILE_LIST_REPLY: return "FILE_LIST_REPLY";
    case MSG_FILE_STAT_REPLY: return "FILE_STAT_REPLY";
    case MSG_FILE_DATA: return "FILE_DATA";
    case MSG_FILE_CHECKSUM_REPLY: return "FILE_CHECKSUM_REPLY";
    case MSG_STORAGE_INFO_REPLY: return "STORAGE_INFO_REPLY";
    case MSG_BOARD_RECORDING: return "BOARD_RECORDING";
    case MSG_OK: return "OK";
    case MSG_HELLO_REPLY: return "HELLO_REPLY";
    case MSG_PONG: return "PONG";
    case MSG_ERROR: return "ERROR";
    case MSG_INIT_SEGMENT: return "INIT_SEGMENT";
    case MSG_FRAGMENT: return "FRAGMENT";
    default: return "UNKNOWN";
    }
}

static void msg_dump_settings(struct msg_text_s *t, const struct msg_stream_settings_s *s) {
    msg_line(t, "width = %u\nheight = %u\nfps = %u\ncodec = %u\nprofile = %u\nbitrate_kbps = %" PRIu32 "\ngop = %u\n",
             s->width, s->height, s->fps, s->codec, s->profile, s->bitrate_kbps, s->gop);
}

static void msg_dump_entries(struct msg_text_s *t, const uint8_t *p, uint16_t count) {
    for (uint16_t i = 0; i < count; i++) {
        uint8_t n = p[MSG_LIST_ENTRY_FIXED];
        msg_line(t, "entry = %u %" PRIu64 " %" PRIu64 " %.*s\n", p[0], bytes_get_u64le(p + 1), bytes_get_u64le(p + 9), n,
                 (const char *)p + MSG_LIST_ENTRY_FIXED + 1);
        p += MSG_LIST_ENTRY_FIXED + 1 + n;
    }
}

size_t msg_dump(const struct msg_s *m, char *out, size_t cap) {
    struct msg_text_s t = {out, cap, 0};
    if (cap) out[0] = '\0';
    msg_line(&t, "type = %s\nid = %" PRIu32 "\n", msg_type_name(m->type), m->id);
    switch (m->type) {
    case MSG_HELLO:
        msg_line(&t, "protocol_version = %u\nhost_name = %s\n", m->u.hello.protocol_version, m->u.hello.host_name);
        break;
    case MSG_STREAM_START:
        msg_dump_settings(&t, &m->u.stream_start);
        break;
    case MSG_FILE_LIST:
    case MSG_FILE_STAT:
    case MSG_FILE_CHECKSUM:
    case MSG_FILE_DELETE:
        msg_line(&t, "path = %s\n", m->u.file.path);
        break;
    case MSG_FILE_READ:
        msg_line(&t, "path = %s\noffset = %" PRIu64 "\nlength = %" PRIu32 "\n", m->u.file_read.path,
                 m->u.file_read.offset, m->u.file_read.length);
        break;
    case MSG_BOARD_RECORD_START:
        msg_line(&t, "path = %s\n", m->u.board_record_start.path);
        msg_dump_settings(&t, &m->u.board_record_start.settings);
        break;
    case MSG_FILE_LIST_REPLY:
        msg_line(&t, "truncated = %u\ncount = %u\n", m->u.file_list_reply.truncated, m->u.file_list_reply.count);
        msg_dump_entries(&t, m->u.file_list_reply.entries, m->u.file_list_reply.count);
        break;
    case MSG_FILE_STAT_REPLY:
        msg_line(&t, "file_type = %u\nsize = %" PRIu64 "\nmtime_ms = %" PRIu64 "\n", m->u.file_stat_reply.type,
                 m->u.file_stat_reply.size, m->u.file_stat_reply.mtime_ms);
        break;
    case MSG_FILE_DATA:
        msg_line(&t, "offset = %" PRIu64 "\n", m->u.file_data.offset);
        msg_hex(&t, "data", m->u.file_data.data, m->u.file_data.size);
        break;
    case MSG_FILE_CHECKSUM_REPLY:
        msg_line(&t, "size = %" PRIu64 "\n", m->u.file_checksum_reply.size);
        msg_hex(&t, "sha256", m->u.file_checksum_reply.sha256, 32);
        break;
    case MSG_STORAGE_INFO_REPLY:
        msg_line(&t, "total = %" PRIu64 "\navailable = %" PRIu64 "\n", m->u.storage_info_reply.total,
                 m->u.storage_info_reply.available);
        break;
    case MSG_BOARD_RECORDING:
        msg_line(&t, "active = %u\npath = %s\nelapsed_us = %" PRIu64 "\nwritten = %" PRIu64 "\nframes = %" PRIu32
                     "\ndropped = %" PRIu32 "\nerror = %u\nmessage = %s\n",
                 m->u.board_recording.active, m->u.board_recording.path, m->u.board_recording.elapsed_us,
                 m->u.board_recording.bytes, m->u.board_recording.frames, m->u.board_recording.dropped,
                 m->u.board_recording.error, m->u.board_recording.message);
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
