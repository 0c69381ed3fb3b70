/* The byte link to the host: a pseudo-terminal the agent creates, or a serial device. */
#ifndef K230_LINK_H
#define K230_LINK_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "watchdog.h"

#define LINK_MAX_PARTS 80
#define LINK_PATH_MAX 256
/* A device read is always offered this much: the CanMV CDC driver copies a whole USB transfer
 * (up to 4 KiB) whatever count says (k230_canmv cdc_acm_mtp.c). */
#define LINK_DEVICE_READ_SIZE 4096
/* Bytes given to one blocking write: the watchdog sees progress (or none) at least this often. */
#define LINK_WRITE_CHUNK (64u * 1024u)

struct link_s {
    int fd;       /* -1 while a device is away (hung up, unplugged); writes then fail at once */
    bool is_pty;
    bool reopen;  /* a device: reopened by path after a hang-up */
    char path[LINK_PATH_MAX]; /* the slave path for a PTY, the device path otherwise */
    pthread_mutex_t write_lock; /* one frame at a time on the wire; guards fd against a hang-up */
    int write_timeout_ms;       /* a write making no progress this long gives up */
    struct watchdog_s watchdog; /* interrupts a blocking write that makes no progress */
    uint8_t rx[LINK_DEVICE_READ_SIZE]; /* a device read that did not fit the caller's space */
    size_t rx_start, rx_end;           /* its bytes not yet handed out */
};

enum { LINK_READ_HANGUP = -2 };

/* Writes block (they move the link at its full rate); the watchdog gives up on a stalled host. */
int link_open_pty(struct link_s *l);
int link_open_device(struct link_s *l, const char *path);
/* Serves a descriptor already open (a socket in the fuzzer); it is closed by link_close. */
int link_open_fd(struct link_s *l, int fd);
/* Points a symlink at the PTY's slave, replacing an old one, so hosts can keep one port path. */
int link_make_alias(struct link_s *l, const char *alias);
/* Removes the alias again, unless it now points elsewhere (an agent started since took it). */
void link_remove_alias(const struct link_s *l, const char *alias);
void link_close(struct link_s *l);
/* Waits up to timeout_ms; returns bytes read, 0 when none came, LINK_READ_HANGUP (after the wait)
 * while nobody is on the other end (a PTY slave closed, a device hung up or gone), -1 on error.
 * A device that hung up is closed and, on later calls, opened again by its path once it is back. */
ssize_t link_read(struct link_s *l, uint8_t *buf, size_t cap, int timeout_ms);
/* A message framed and ready to go: header, the parts (not copied), CRC trailer. */
struct link_frame_s {
    uint8_t header[16];
    uint8_t trailer[4];
    struct iovec iov[LINK_MAX_PARTS + 2];
    int count;
};

/* Frames the parts (computing both CRCs); -1 when there are too many parts or bytes. */
int link_frame_build(struct link_frame_s *f, uint8_t type, uint32_t id, const struct iovec *parts, int count);
/* Writes a built frame whole. 0, or -1 when the link failed or stalled past the write timeout. */
int link_frame_write(struct link_s *l, struct link_frame_s *f);
/* Both at once: frames the parts as one message and writes it whole, without copying the parts. */
int link_send(struct link_s *l, uint8_t type, uint32_t id, const struct iovec *parts, int count);

#endif
