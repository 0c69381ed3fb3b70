#include "fdio.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

/* Set once writev said ENOSYS: RT-Smart's system-call table (K230 big core) may have no writev. */
static atomic_bool fdio_writev_missing;

ssize_t fdio_writev(int fd, const struct iovec *iov, int count) {
    if (!atomic_load_explicit(&fdio_writev_missing, memory_order_relaxed)) {
        ssize_t n = writev(fd, iov, count);
        if (n >= 0 || errno != ENOSYS) return n;
        atomic_store_explicit(&fdio_writev_missing, true, memory_order_relaxed);
    }
    while (count > 1 && iov->iov_len == 0) {
        iov++;
        count--;
    }
    return write(fd, iov->iov_base, iov->iov_len);
}

void fdio_advance(struct iovec **iov, int *count, size_t n) {
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
