/* writev where the system has it; one write() per piece where it does not. */
#ifndef K230_FDIO_H
#define K230_FDIO_H
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* Set once writev said ENOSYS: RT-Smart's system-call table (K230 big core) may have no writev. */
static bool fdio_writev_missing;

/* Like writev; callers loop on short counts, so the fallback writes the first non-empty piece only. */
static inline ssize_t fdio_writev(int fd, const struct iovec *iov, int count) {
    if (!fdio_writev_missing) {
        ssize_t n = writev(fd, iov, count);
        if (n >= 0 || errno != ENOSYS) return n;
        fdio_writev_missing = true;
    }
    while (count > 1 && iov->iov_len == 0) {
        iov++;
        count--;
    }
    return write(fd, iov->iov_base, iov->iov_len);
}

/* Moves past n bytes that went out: drops the pieces written whole, trims the one written in part. */
static inline void fdio_advance(struct iovec **iov, int *count, size_t n) {
    while (*count > 0 && n >= (*iov)->iov_len) {
        n -= (*iov)->iov_len;
        (*iov)++;
        (*count)--;
    }
    if (*count > 0) {
        (*iov)->iov_base = (char *)(*iov)->iov_base + n;
        (*iov)->iov_len -= n;
    }
}

#endif
