/* The session's storage requests: the file service and recording on the board. */
#ifndef K230_SESSION_FILES_H
#define K230_SESSION_FILES_H
#include <stdbool.h>

#include "msg.h"
#include "session.h"

/* Handles the request if it is a storage one; false when it is not. */
bool session_files_dispatch(struct session_s *s, const struct msg_s *req);
/* Called from the serve loop: reports the board recording each second, and when it stops by itself. */
void session_files_tick(struct session_s *s);
void session_files_close(struct session_s *s);

#endif
