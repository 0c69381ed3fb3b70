#include "session.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "live.h"
#include "msg.h"
#include "version.h"
#include "session_files.h"

int session_init(struct session_s *s, const struct session_config_s *config, const struct camera_backend_s *backend,
                 struct link_s *link) {
    memset(s, 0, sizeof(*s));
    s->config = *config;
    s->link = link;
    s->read_fd = -1;
    if (config->storage_root) {
        if (files_init(&s->files, config->storage_root) < 0) {
            fprintf(stderr, "agent: storage root %s does not exist\n", config->storage_root);
            return -1;
        }
        s->have_storage = true;
    }
    stream_init(&s->stream, backend, live_sink(link), 6);
    record_init(&s->record, backend, &s->files);
    if (data_sender_init(&s->data_sender, link) < 0) return -1;
    return wire_decoder_init(&s->decoder, SESSION_MAX_REQUEST);
}

void session_destroy(struct session_s *s) {
    stream_destroy(&s->stream);
    record_destroy(&s->record);
    data_sender_destroy(&s->data_sender);
    session_files_close(s);
    wire_decoder_destroy(&s->decoder);
}

void session_reply(struct session_s *s, const struct msg_s *m) {
    uint8_t payload[MSG_PATH_MAX + 1024];
    long len = msg_encode_payload(m, payload, sizeof(payload));
    if (len < 0) return;
    struct iovec part = {payload, (size_t)len};
    if (link_send(s->link, m->type, m->id, &part, 1) < 0) fprintf(stderr, "agent: reply lost: link write failed\n");
}

void session_ok(struct session_s *s, uint32_t id) {
    struct msg_s m = {.type = MSG_OK, .id = id};
    session_reply(s, &m);
}

void session_error(struct session_s *s, uint32_t id, uint16_t code, const char *fmt, const char *detail) {
    struct msg_s m = {.type = MSG_ERROR, .id = id};
    m.u.error.code = code;
    snprintf(m.u.error.message, sizeof(m.u.error.message), fmt, detail);
    session_reply(s, &m);
}

static void session_hello(struct session_s *s, const struct msg_s *req) {
    if (req->u.hello.protocol_version != MSG_PROTOCOL_VERSION) {
        char detail[64];
        snprintf(detail, sizeof(detail), "%u, the host asked for %u", MSG_PROTOCOL_VERSION,
                 req->u.hello.protocol_version);
        session_error(s, req->id, MSG_ERR_UNSUPPORTED_VERSION, "agent speaks protocol version %s", detail);
        return;
    }
    stream_stop(&s->stream); /* a new host starts from a quiet board */
    s->greeted = true;
    const struct camera_backend_s *b = s->stream.backend;
    struct msg_s m = {.type = MSG_HELLO_REPLY, .id = req->id};
    m.u.hello_reply.protocol_version = MSG_PROTOCOL_VERSION;
    snprintf(m.u.hello_reply.agent_version, sizeof(m.u.hello_reply.agent_version), "%s", AGENT_VERSION);
    snprintf(m.u.hello_reply.board_name, sizeof(m.u.hello_reply.board_name), "%s", s->config.board_name);
    m.u.hello_reply.codecs = (uint8_t)(((b->codecs >> CAMERA_CODEC_H264) & 1) | (((b->codecs >> CAMERA_CODEC_H265) & 1) << 1));
    m.u.hello_reply.max_width = (uint16_t)b->max_width;
    m.u.hello_reply.max_height = (uint16_t)b->max_height;
    m.u.hello_reply.max_fps = (uint16_t)b->max_fps;
    m.u.hello_reply.storage = s->config.storage_root != NULL;
    session_reply(s, &m);
}

struct camera_settings_s session_camera_settings(const struct msg_stream_settings_s *w) {
    return (struct camera_settings_s){
        .width = w->width,
        .height = w->height,
        .fps = w->fps,
        .codec = (enum camera_codec_e)w->codec,
        .profile = (enum camera_profile_e)w->profile,
        .bitrate_kbps = (int)w->bitrate_kbps,
        .gop = w->gop,
    };
}

static void session_stream_start(struct session_s *s, const struct msg_s *req) {
    struct camera_settings_s settings = session_camera_settings(&req->u.stream_start);
    char err[200];
    if (stream_start(&s->stream, &settings, err, sizeof(err)) < 0) {
        session_error(s, req->id, MSG_ERR_UNSUPPORTED_SETTING, "%s", err);
        return;
    }
    session_ok(s, req->id);
}

void session_dispatch(struct session_s *s, const struct wire_frame_s *f) {
    struct msg_s req;
    if (msg_decode(f->type, f->id, f->payload, f->length, &req) < 0) {
        bool known = strcmp(msg_type_name(f->type), "UNKNOWN") != 0;
        session_error(s, f->id, known ? MSG_ERR_BAD_REQUEST : MSG_ERR_UNKNOWN_REQUEST,
                      known ? "malformed %s request" : "unknown request type%s", known ? msg_type_name(f->type) : "");
        return;
    }
    if (req.type == MSG_HELLO) {
        session_hello(s, &req);
        return;
    }
    if (!s->greeted) {
        session_error(s, req.id, MSG_ERR_HANDSHAKE_REQUIRED, "send HELLO first%s", "");
        return;
    }
    switch (req.type) {
    case MSG_STREAM_START:
        session_stream_start(s, &req);
        break;
    case MSG_STREAM_STOP:
        stream_stop(&s->stream);
        session_ok(s, req.id);
        break;
    case MSG_REQUEST_IDR:
        if (stream_request_idr(&s->stream) < 0)
            session_error(s, req.id, MSG_ERR_NOT_STREAMING, "no stream is running%s", "");
        else
            session_ok(s, req.id);
        break;
    case MSG_SET_BITRATE:
        if (req.u.set_bitrate.bitrate_kbps < 100 || req.u.set_bitrate.bitrate_kbps > 100000)
            session_error(s, req.id, MSG_ERR_UNSUPPORTED_SETTING, "bitrate outside 100..100000 kbps%s", "");
        else if (stream_set_bitrate(&s->stream, (int)req.u.set_bitrate.bitrate_kbps) < 0)
            session_error(s, req.id, MSG_ERR_NOT_STREAMING, "no stream is running%s", "");
        else
            session_ok(s, req.id);
        break;
    case MSG_PING: {
        struct msg_s m = {.type = MSG_PONG, .id = req.id};
        m.u.pong.host_time_us = req.u.ping.host_time_us;
        m.u.pong.board_time_us = (uint64_t)clock_now_us();
        session_reply(s, &m);
        break;
    }
    default:
        if (!session_files_dispatch(s, &req))
            session_error(s, req.id, MSG_ERR_UNKNOWN_REQUEST, "%s is not a request", msg_type_name(req.type));
        break;
    }
}

/* Nobody watches (the host hung up or went silent): nothing is encoded; the next host starts afresh. */
static void session_host_gone(struct session_s *s, const char *why) {
    if (s->greeted || stream_running(&s->stream)) fprintf(stderr, "agent: %s; the live stream stops\n", why);
    stream_stop(&s->stream);
    s->greeted = false;
    s->decoder.start = s->decoder.end = 0;
}

void session_serve(struct session_s *s, volatile bool *stop) {
    bool host_present = true;
    while (!*stop) {
        size_t avail;
        uint8_t *space = wire_decoder_space(&s->decoder, &avail);
        ssize_t n = link_read(s->link, space, avail, 100);
        if (n == LINK_READ_HANGUP) { /* after link_read's wait: an idle agent wakes ten times a second */
            if (host_present) session_host_gone(s, "the host hung up");
            host_present = false;
            record_poll(&s->record); /* a board recording goes on without a host, until it fails */
            continue;
        }
        if (n < 0) {
            perror("agent: link read");
            clock_sleep_until_us(clock_now_us() + 100000);
            continue;
        }
        host_present = true;
        int64_t now = clock_now_us();
        if (n > 0) s->last_heard_us = now;
        else if (s->greeted && now - s->last_heard_us > SESSION_HOST_SILENCE_US) session_host_gone(s, "the host went silent");
        wire_decoder_commit(&s->decoder, (size_t)n);
        struct wire_frame_s f;
        while (wire_decoder_next(&s->decoder, &f)) session_dispatch(s, &f);
        session_files_tick(s);
    }
}
