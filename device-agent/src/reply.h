/* Answers to the host: a typed reply, OK, or an ERROR whose message is formatted like printf. */
#ifndef K230_REPLY_H
#define K230_REPLY_H
#include <stdint.h>

#include "link.h"
#include "msg.h"

/* Sends m; a reply that does not encode or whose write fails is said on stderr and dropped. */
void reply_send(struct link_s *link, const struct msg_s *m);
void reply_ok(struct link_s *link, uint32_t id);
/* ERROR code with a one-line message for a person, cut at MSG_STRING_MAX bytes. */
__attribute__((format(printf, 4, 5))) void reply_error(struct link_s *link, uint32_t id, uint16_t code,
                                                       const char *fmt, ...);

#endif
