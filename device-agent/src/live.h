/* The live view's sink: init segments and fragments as INIT_SEGMENT / FRAGMENT messages on the link. */
#ifndef K230_LIVE_H
#define K230_LIVE_H
#include "link.h"
#include "stream.h"

struct stream_sink_s live_sink(struct link_s *link);

#endif
