#include "session.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "live.h"
#include "msg.h"
#include "reply.h"
#include "settings.h"
#include "version.h"

int session_init(struct session_s *s, const struct session_config_s *config, const struct camera_backend_s *backend,
                 struct link_s *link) {
    memset(s, 0, sizeof(*s));
    s->config = *config;
    s->link = link;
    if (wire_decoder_init(&s->decoder, SESSION_MAX_REQUEST) < 0) {
        fprintf(stderr, "agent: no memory for the request decoder\n");
        return -1;
    }
    if (text_frames_init(&s->text, SESSION_MAX_REQUEST) < 0) {
        fprintf(stderr, "agent: no memory for the text-safe request decoder\n");
        goto fail_text;
    }
    if (storage_init(&s->storage, config->storage_root, backend, link) < 0) goto fail_storage;
    stream_init(&s->stream, backend, live_sink(link), 10); /* 6 pictures and the sound between them */
    return 0;

fail_storage:
    text_frames_destroy(&s->text);
fail_text:
    wire_decoder_destroy(&s->decoder);
    return -1;
}

void session_destroy(struct session_s *s) {
    stream_destroy(&s->stream);
    storage_destroy(&s->storage);
    text_frames_destroy(&s->text);
    wire_decoder_destroy(&s->decoder);
}

/* The source the live view streams now, as SOURCES says it (MSG_SOURCE_NONE: nothing). */
static uint8_t session_live_source(const struct session_s *s) {
    return stream_running(&s->stream) ? (uint8_t)s->stream.settings.source : MSG_SOURCE_NONE;
}

/* SOURCES: what could be streamed (all the backend has: no script takes anything here) and what
 * is; sent when `live` changed since the host last heard it, or always (force: after HELLO_REPLY). */
static void session_tell_sources(struct session_s *s, bool force) {
    uint8_t live = session_live_source(s);
    if (!force && live == s->told_live) return;
    s->told_live = live;
    struct msg_s m = {.type = MSG_SOURCES};
    m.u.sources.available = (uint8_t)(s->stream.backend->sources & ((1u << MSG_SOURCE_CAMERA) | (1u << MSG_SOURCE_DISPLAY)));
    m.u.sources.live = live;
    reply_send(s->link, &m);
}

static void session_hello(struct session_s *s, const struct msg_s *req) {
    if (req->u.hello.protocol_version != MSG_PROTOCOL_VERSION) {
        reply_error(s->link, req->id, MSG_ERR_UNSUPPORTED_VERSION, "agent speaks protocol version %u, the host asked for %u",
                    MSG_PROTOCOL_VERSION, req->u.hello.protocol_version);
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
    unsigned mic = b->audio ? b->audio->codecs : 0;
    m.u.hello_reply.audio_codecs = (uint8_t)(((mic >> AUDIO_CODEC_G711A) & 1) | (((mic >> AUDIO_CODEC_G711U) & 1) << 1));
    m.u.hello_reply.scripts = 0; /* no MicroPython here: SCRIPT_* are answered UNSUPPORTED */
    m.u.hello_reply.sources = (uint8_t)(b->sources & ((1u << MSG_SOURCE_CAMERA) | (1u << MSG_SOURCE_DISPLAY)));
    reply_send(s->link, &m);
    session_tell_sources(s, true);
}

/* The source asked for is always there on this agent (FOLLOW is the camera: no script runs here), so
 * the stream starts now or the request is refused; SOURCES goes before the OK, as the MicroPython
 * agent sends it. A refused start that had stopped the running stream says that too. */
static void session_stream_start(struct session_s *s, const struct msg_s *req) {
    struct camera_settings_s settings = settings_from_msg(&req->u.stream_start.settings);
    char err[200];
    int rc = stream_start(&s->stream, &settings, err, sizeof(err));
    session_tell_sources(s, false);
    if (rc < 0) reply_error(s->link, req->id, MSG_ERR_UNSUPPORTED_SETTING, "%s", err);
    else reply_ok(s->link, req->id);
}

void session_dispatch(struct session_s *s, const struct wire_frame_s *f) {
    struct msg_s req;
    if (msg_role(f->type) == MSG_ROLE_UNKNOWN) {
        reply_error(s->link, f->id, MSG_ERR_UNKNOWN_REQUEST, "unknown request type 0x%02x", f->type);
        return;
    }
    if (msg_decode(f->type, f->id, f->payload, f->length, &req) < 0) {
        reply_error(s->link, f->id, MSG_ERR_BAD_REQUEST, "malformed %s request", msg_type_name(f->type));
        return;
    }
    if (msg_role(req.type) != MSG_ROLE_REQUEST) {
        reply_error(s->link, req.id, MSG_ERR_UNKNOWN_REQUEST, "%s is not a request", msg_type_name(req.type));
        return;
    }
    if (req.type == MSG_HELLO) {
        session_hello(s, &req);
        return;
    }
    if (!s->greeted) {
        reply_error(s->link, req.id, MSG_ERR_HANDSHAKE_REQUIRED, "send HELLO first");
        return;
    }
    switch (req.type) {
    case MSG_STREAM_START:
        session_stream_start(s, &req);
        break;
    case MSG_STREAM_STOP:
        stream_stop(&s->stream);
        session_tell_sources(s, false);
        reply_ok(s->link, req.id);
        break;
    case MSG_REQUEST_IDR:
        if (stream_request_idr(&s->stream) < 0)
            reply_error(s->link, req.id, MSG_ERR_NOT_STREAMING, "no stream is running");
        else
            reply_ok(s->link, req.id);
        break;
    case MSG_SET_BITRATE: {
        int kbps = req.u.set_bitrate.bitrate_kbps > INT_MAX ? INT_MAX : (int)req.u.set_bitrate.bitrate_kbps;
        char err[80];
        if (camera_bitrate_check(kbps, err, sizeof(err)) < 0)
            reply_error(s->link, req.id, MSG_ERR_UNSUPPORTED_SETTING, "%s", err);
        else if (stream_set_bitrate(&s->stream, kbps) < 0)
            reply_error(s->link, req.id, MSG_ERR_NOT_STREAMING, "no stream is running");
        else
            reply_ok(s->link, req.id);
        break;
    }
    case MSG_PING: {
        struct msg_s m = {.type = MSG_PONG, .id = req.id};
        m.u.pong.host_time_us = req.u.ping.host_time_us;
        m.u.pong.board_time_us = (uint64_t)clock_now_us();
        reply_send(s->link, &m);
        break;
    }
    case MSG_SCRIPT_RUN:
    case MSG_SCRIPT_INPUT:
    case MSG_SCRIPT_STOP:
        reply_error(s->link, req.id, MSG_ERR_UNSUPPORTED,
                    "this board runs the K230 SDK agent, which has no MicroPython: running a script needs the stock "
                    "CanMV firmware");
        break;
    default:
        if (!storage_dispatch(&s->storage, &req))
            reply_error(s->link, req.id, MSG_ERR_UNKNOWN_REQUEST, "%s is not served here", msg_type_name(req.type));
        break;
    }
}

/* Nobody watches (the host hung up or went silent): nothing is encoded; the next host starts afresh. */
static void session_host_gone(struct session_s *s, const char *why) {
    if (s->greeted || stream_running(&s->stream)) fprintf(stderr, "agent: %s; the live stream stops\n", why);
    stream_stop(&s->stream);
    s->greeted = false;
    s->told_live = MSG_SOURCE_NONE; /* nobody to tell: the next HELLO says what is there */
    s->decoder.start = s->decoder.end = 0;
    text_frames_reset(&s->text);
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
            storage_tick(&s->storage, false); /* a board recording goes on without a host, until it fails */
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
        text_frames_push(&s->text, space, (size_t)n);
        wire_decoder_commit(&s->decoder, (size_t)n);
        struct wire_frame_s f;
        while (wire_decoder_next(&s->decoder, &f)) session_dispatch(s, &f);
        while (wire_decoder_next(&s->text.frames, &f)) session_dispatch(s, &f);
        storage_tick(&s->storage, s->greeted);
    }
}
