/* writev where the system has it; one write() per piece where it does not. */
#ifndef K230_FDIO_H
#define K230_FDIO_H
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Like writev; callers loop on short counts, so the fallback writes the first non-empty piece only. */
ssize_t fdio_writev(int fd, const struct iovec *iov, int count);
/* Moves past n bytes that went out: drops the pieces written whole, trims the one written in part. */
void fdio_advance(struct iovec **iov, int *count, size_t n);

#endif
