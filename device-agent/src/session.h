/* One host conversation: decodes requests from the link and answers each with a typed reply. */
#ifndef K230_SESSION_H
#define K230_SESSION_H
#include <stdbool.h>

#include "link.h"
#include "stream.h"
#include "wire.h"

#define SESSION_MAX_REQUEST (64u * 1024u)

struct session_config_s {
    const char *board_name;
    const char *storage_root; /* NULL when the board has no storage */
};

struct session_s {
    struct session_config_s config;
    struct link_s *link;
    struct stream_s stream;
    struct wire_decoder_s decoder;
    bool greeted; /* a HELLO of our protocol version arrived */
};

int session_init(struct session_s *s, const struct session_config_s *config, const struct camera_backend_s *backend,
                 struct link_s *link);
void session_destroy(struct session_s *s);
/* Serves until *stop becomes true. A host that goes away ends its stream; the next one starts afresh. */
void session_serve(struct session_s *s, volatile bool *stop);

#endif
