#include "reply.h"

#include <stdarg.h>
#include <stdio.h>

void reply_send(struct link_s *link, const struct msg_s *m) {
    uint8_t payload[MSG_PATH_MAX + 1024];
    long len = msg_encode_payload(m, payload, sizeof(payload));
    if (len < 0) {
        fprintf(stderr, "agent: %s reply lost: it does not fit %zu bytes\n", msg_type_name(m->type), sizeof(payload));
        return;
    }
    struct iovec part = {payload, (size_t)len};
    if (link_send(link, m->type, m->id, &part, 1) < 0)
        fprintf(stderr, "agent: %s reply lost: link write failed\n", msg_type_name(m->type));
}

void reply_ok(struct link_s *link, uint32_t id) { reply_send(link, &(struct msg_s){.type = MSG_OK, .id = id}); }

void reply_error(struct link_s *link, uint32_t id, uint16_t code, const char *fmt, ...) {
    struct msg_s m = {.type = MSG_ERROR, .id = id};
    m.u.error.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m.u.error.message, sizeof(m.u.error.message), fmt, ap);
    va_end(ap);
    reply_send(link, &m);
}
