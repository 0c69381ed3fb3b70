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

/* Raw bytes. A device read with nothing to read returns after 100 ms (VTIME), as the CanMV CDC driver's does. */
static int link_make_raw(int fd, bool is_device) {
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return -1;
    cfmakeraw(&t);
    t.c_cc[VMIN] = is_device ? 0 : 1;
    t.c_cc[VTIME] = is_device ? 1 : 0;
    return tcsetattr(fd, TCSANOW, &t);
}

static int link_set_blocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

static int link_init_common(struct link_s *l, int fd) {
    l->fd = fd;
    l->write_timeout_ms = 2000;
    if (watchdog_init(&l->watchdog) < 0) return -1;
    pthread_mutex_init(&l->write_lock, NULL);
    return 0;
}

int link_open_pty(struct link_s *l) {
    memset(l, 0, sizeof(*l));
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) goto error;
    if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, l->path, sizeof(l->path)) != 0) goto error;
    /* Raw mode is set on the slave: echo on would send our frames straight back to us. */
    int slave = open(l->path, O_RDWR | O_NOCTTY);
    if (slave < 0) goto error;
    int rc = link_make_raw(slave, false);
    close(slave);
    if (rc < 0) goto error;
    l->is_pty = true;
    if (link_init_common(l, fd) < 0) goto error;
    return 0;
error:
    fprintf(stderr, "agent: cannot create a pseudo-terminal: %s\n", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
}

/* Opens the device at l->path: O_NONBLOCK only for the open itself (no wait for a carrier). */
static int link_device_fd(const char *path) {
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return -1;
    if ((isatty(fd) && link_make_raw(fd, true) < 0) || link_set_blocking(fd) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int link_open_device(struct link_s *l, const char *path) {
    memset(l, 0, sizeof(*l));
    snprintf(l->path, sizeof(l->path), "%s", path);
    int fd = link_device_fd(path);
    if (fd < 0) {
        fprintf(stderr, "agent: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    l->reopen = true;
    if (link_init_common(l, fd) < 0) {
        fprintf(stderr, "agent: cannot start the link's write watchdog\n");
        close(fd);
        return -1;
    }
    return 0;
}

int link_open_fd(struct link_s *l, int fd) {
    memset(l, 0, sizeof(*l));
    snprintf(l->path, sizeof(l->path), "fd %d", fd);
    return link_init_common(l, fd);
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

void link_remove_alias(const struct link_s *l, const char *alias) {
    char target[LINK_PATH_MAX];
    ssize_t n = readlink(alias, target, sizeof(target) - 1);
    if (n < 0) return;
    target[n] = '\0';
    /* A link left behind would name a pseudo-terminal that the next program may be given. */
    if (!strcmp(target, l->path)) unlink(alias);
}

void link_close(struct link_s *l) {
    watchdog_destroy(&l->watchdog);
    if (l->fd >= 0) close(l->fd);
    l->fd = -1;
    pthread_mutex_destroy(&l->write_lock);
}

/* A hung-up tty reads 0 for ever: close it (writers, under the lock, then fail at once). */
static void link_drop_device(struct link_s *l) {
    pthread_mutex_lock(&l->write_lock);
    close(l->fd);
    l->fd = -1;
    l->rx_start = l->rx_end = 0;
    pthread_mutex_unlock(&l->write_lock);
}

/* The device is away: look for it again once per call, and wait out the rest of the call. */
static ssize_t link_wait_for_device(struct link_s *l, int timeout_ms) {
    int fd = link_device_fd(l->path);
    if (fd < 0) {
        clock_sleep_until_us(clock_now_us() + (int64_t)timeout_ms * 1000);
        return LINK_READ_HANGUP;
    }
    pthread_mutex_lock(&l->write_lock);
    l->fd = fd;
    pthread_mutex_unlock(&l->write_lock);
    fprintf(stderr, "agent: %s is back\n", l->path);
    return 0;
}

/* Nobody is on the other end: say so after the wait, or the caller spins. */
static ssize_t link_hung_up(struct link_s *l, int64_t deadline_us) {
    if (l->reopen) {
        fprintf(stderr, "agent: %s hung up; waiting for it to come back\n", l->path);
        link_drop_device(l);
    }
    clock_sleep_until_us(deadline_us);
    return LINK_READ_HANGUP;
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
    if (l->fd < 0) return link_wait_for_device(l, timeout_ms);
    int64_t deadline_us = clock_now_us() + (int64_t)timeout_ms * 1000;
    struct pollfd p = {l->fd, POLLIN, 0};
    int rc = poll(&p, 1, timeout_ms);
    if (rc < 0) return errno == EINTR ? 0 : -1;
    if (p.revents & POLLNVAL) return -1;
    /* A PTY master whose slave is closed says POLLHUP; a hung-up tty says POLLIN|POLLHUP|POLLERR and
     * reads 0 for ever after (cdc-acm and usb-serial hang up on unplug; so does a PTY slave whose master closed). */
    if ((p.revents & (POLLHUP | POLLERR)) && (!l->is_pty || !(p.revents & POLLIN))) return link_hung_up(l, deadline_us);
    /* A device is read even when poll saw nothing: the CanMV CDC driver's ready flag is cleared by any
     * poll, and its read waits ~100 ms by itself (a tty here: VTIME). A PTY is read only when ready. */
    if (rc == 0 && l->is_pty) return 0;
    bool bounce = !l->is_pty && cap < sizeof(l->rx);
    ssize_t n = read(l->fd, bounce ? l->rx : buf, bounce ? sizeof(l->rx) : cap);
    if (n > 0 && bounce) {
        l->rx_start = 0;
        l->rx_end = (size_t)n;
        return (ssize_t)link_take_pending(l, buf, cap);
    }
    if (n >= 0) return n; /* 0: a device read that waited with nothing */
    if (errno == EAGAIN || errno == EINTR) return 0;
    if (errno == EIO || errno == ENXIO || errno == ENODEV) return link_hung_up(l, deadline_us);
    return -1;
}

/* The first `cap` bytes of an iovec array, as another array. */
static int link_chunk(const struct iovec *iov, int count, size_t cap, struct iovec *out) {
    int n = 0;
    for (; n < count && cap > 0; n++) {
        out[n] = iov[n];
        if (out[n].iov_len > cap) out[n].iov_len = cap;
        cap -= out[n].iov_len;
    }
    return n;
}

/* Writes the whole iovec array with blocking writes; the watchdog interrupts one that makes no
 * progress for write_timeout_ms, and then the frame is given up. Caller holds write_lock. */
static int link_write_all(struct link_s *l, struct iovec *iov, int count) {
    int64_t deadline = clock_now_us() + (int64_t)l->write_timeout_ms * 1000;
    while (count > 0) {
        if (l->fd < 0) {
            errno = EPIPE; /* the device is away */
            return -1;
        }
        struct iovec chunk[LINK_MAX_PARTS + 2];
        int pieces = link_chunk(iov, count, LINK_WRITE_CHUNK, chunk);
        watchdog_arm(&l->watchdog, deadline);
        ssize_t n = fdio_writev(l->fd, chunk, pieces);
        int saved = errno;
        watchdog_disarm(&l->watchdog);
        if (n > 0) {
            deadline = clock_now_us() + (int64_t)l->write_timeout_ms * 1000;
            fdio_advance(&iov, &count, (size_t)n);
            continue;
        }
        /* EINTR: the watchdog, or another signal; EAGAIN/EBUSY: the CanMV CDC driver's transfer still
         * pending; 0: no host on a device that takes nothing. */
        if (n < 0 && saved != EAGAIN && saved != EINTR && saved != EBUSY) {
            errno = saved;
            return -1;
        }
        if (clock_now_us() >= deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (n == 0 || saved != EINTR) clock_sleep_until_us(clock_now_us() + 5000);
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
