#define _GNU_SOURCE /* posix_openpt, ptsname_r, cfmakeraw */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "crc32.h"
#include "fdio.h"
#include "wire.h"

static int link_make_raw(int fd) {
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return -1;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

static void link_init_common(struct link_s *l, int fd) {
    l->fd = fd;
    l->write_timeout_ms = 2000;
    pthread_mutex_init(&l->write_lock, NULL);
}

int link_open_pty(struct link_s *l) {
    memset(l, 0, sizeof(*l));
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) goto error;
    if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, l->path, sizeof(l->path)) != 0) goto error;
    /* Raw mode is set on the slave: echo on would send our frames straight back to us. */
    int slave = open(l->path, O_RDWR | O_NOCTTY);
    if (slave < 0) goto error;
    int rc = link_make_raw(slave);
    close(slave);
    if (rc < 0) goto error;
    l->is_pty = true;
    link_init_common(l, fd);
    return 0;
error:
    fprintf(stderr, "agent: cannot create a pseudo-terminal: %s\n", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
}

int link_open_device(struct link_s *l, const char *path) {
    memset(l, 0, sizeof(*l));
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "agent: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (isatty(fd) && link_make_raw(fd) < 0) {
        fprintf(stderr, "agent: cannot set raw mode on %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(l->path, sizeof(l->path), "%s", path);
    link_init_common(l, fd);
    return 0;
}

int link_make_alias(struct link_s *l, const char *alias) {
    char tmp[LINK_PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.new", alias);
    unlink(tmp);
    if (symlink(l->path, tmp) < 0 || rename(tmp, alias) < 0) {
        fprintf(stderr, "agent: cannot link %s to %s: %s\n", alias, l->path, strerror(errno));
        return -1;
    }
    return 0;
}

void link_close(struct link_s *l) {
    if (l->fd >= 0) close(l->fd);
    l->fd = -1;
    pthread_mutex_destroy(&l->write_lock);
}

/* Hands out bytes of an earlier device read first, as much as fits. */
static size_t link_take_pending(struct link_s *l, uint8_t *buf, size_t cap) {
    size_t n = l->rx_end - l->rx_start;
    if (n > cap) n = cap;
    memcpy(buf, l->rx + l->rx_start, n);
    l->rx_start += n;
    return n;
}

ssize_t link_read(struct link_s *l, uint8_t *buf, size_t cap, int timeout_ms) {
    if (l->rx_end > l->rx_start) return (ssize_t)link_take_pending(l, buf, cap);
    struct pollfd p = {l->fd, POLLIN, 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : -1;
    /* A device is read even when poll saw nothing: the CanMV CDC driver's ready flag is cleared by any
     * poll (a writer's too), and its read waits ~100 ms by itself; O_NONBLOCK devices say EAGAIN. */
    if (rc == 0 && l->is_pty) return 0;
    /* Nobody on the other end (PTY slave closed, device hung up): say so, or the caller spins. */
    if ((p.revents & POLLHUP) && !(p.revents & POLLIN)) return LINK_READ_HANGUP;
    bool bounce = !l->is_pty && cap < sizeof(l->rx);
    ssize_t n = read(l->fd, bounce ? l->rx : buf, bounce ? sizeof(l->rx) : cap);
    if (n > 0 && bounce) {
        l->rx_start = 0;
        l->rx_end = (size_t)n;
        return (ssize_t)link_take_pending(l, buf, cap);
    }
    if (n > 0) return n;
    if (n == 0) return 0; /* a CDC ACM read that timed out with nothing */
    if (errno == EAGAIN || errno == EINTR) return 0;
    if (errno == EIO) return LINK_READ_HANGUP;
    return -1;
}

/* Writes the whole iovec array, waiting for room; gives up after write_timeout_ms without progress. */
static int link_write_all(struct link_s *l, struct iovec *iov, int count) {
    int64_t deadline = clock_now_us() + (int64_t)l->write_timeout_ms * 1000;
    while (count > 0) {
        ssize_t n = fdio_writev(l->fd, iov, count);
        if (n > 0) {
            deadline = clock_now_us() + (int64_t)l->write_timeout_ms * 1000;
            fdio_advance(&iov, &count, (size_t)n);
            continue;
        }
        /* EAGAIN: the host is not reading fast enough; EBUSY: a USB transfer still pending; 0: no host. */
        if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EBUSY) return -1;
        int64_t left_ms = (deadline - clock_now_us()) / 1000;
        if (left_ms <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = {l->fd, POLLOUT, 0};
        if (poll(&p, 1, left_ms > 20 ? 20 : (int)left_ms) < 0 && errno != EINTR) return -1;
    }
    return 0;
}

int link_frame_build(struct link_frame_s *f, uint8_t type, uint32_t id, const struct iovec *parts, int count) {
    if (count > LINK_MAX_PARTS) {
        errno = EINVAL;
        return -1;
    }
    size_t length = 0;
    for (int i = 0; i < count; i++) length += parts[i].iov_len;
    if (length > WIRE_MAX_PAYLOAD) {
        errno = EMSGSIZE;
        return -1;
    }
    wire_write_header(f->header, type, 0, id, (uint32_t)length);
    uint32_t crc = crc32_update(0, f->header, sizeof(f->header));
    f->iov[0] = (struct iovec){f->header, sizeof(f->header)};
    for (int i = 0; i < count; i++) {
        crc = crc32_update(crc, parts[i].iov_base, parts[i].iov_len);
        f->iov[i + 1] = parts[i];
    }
    bytes_set_u32le(f->trailer, crc);
    f->iov[count + 1] = (struct iovec){f->trailer, sizeof(f->trailer)};
    f->count = count + 2;
    return 0;
}

int link_frame_write(struct link_s *l, struct link_frame_s *f) {
    pthread_mutex_lock(&l->write_lock);
    int rc = link_write_all(l, f->iov, f->count);
    pthread_mutex_unlock(&l->write_lock);
    return rc;
}

int link_send(struct link_s *l, uint8_t type, uint32_t id, const struct iovec *parts, int count) {
    struct link_frame_s f;
    if (link_frame_build(&f, type, id, parts, count) < 0) return -1;
    return link_frame_write(l, &f);
}
