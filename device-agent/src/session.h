/* One host conversation: decodes requests from the link and answers each with a typed reply. */
#ifndef K230_SESSION_H
#define K230_SESSION_H
#include <stdbool.h>

#include "link.h"
#include "storage.h"
#include "stream.h"
#include "text_frames.h"
#include "wire.h"

#define SESSION_MAX_REQUEST (64u * 1024u)
/* A greeted host pings every second; one silent this long is gone (a port closed with no hang-up
 * on the board's side of the cable), and its live stream stops. */
#define SESSION_HOST_SILENCE_US (5 * 1000000LL)

struct session_config_s {
    const char *board_name;
    const char *storage_root; /* NULL when the board has no storage */
};

struct session_s {
    struct session_config_s config;
    struct link_s *link;
    struct stream_s stream; /* the live view */
    struct storage_s storage;
    struct wire_decoder_s decoder;
    struct text_frames_s text; /* the same bytes, read as text-safe lines */
    bool greeted; /* a HELLO of our protocol version arrived */
    uint8_t told_live; /* SOURCES' live as the host last heard it (MSG_SOURCE_NONE: nothing streamed) */
    int64_t last_heard_us; /* when bytes last came from the host */
};

/* 0, or -1 with what failed said on stderr (nothing is left to destroy then). */
int session_init(struct session_s *s, const struct session_config_s *config, const struct camera_backend_s *backend,
                 struct link_s *link);
void session_destroy(struct session_s *s);

/* Serves until *stop becomes true. A host that goes away ends its stream; the next one starts afresh. */
void session_serve(struct session_s *s, volatile bool *stop);
/* Answers one request frame: the serve loop's step, which the fuzzer (fuzz/fuzz_session.c) drives directly. */
void session_dispatch(struct session_s *s, const struct wire_frame_s *f);

#endif
