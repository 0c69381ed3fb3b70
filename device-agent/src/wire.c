#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "crc32.h"

int wire_decoder_init(struct wire_decoder_s *d, uint32_t max_payload) {
    memset(d, 0, sizeof(*d));
    d->max_payload = max_payload;
    /* Two frames' worth, so a full frame always fits after compaction. */
    d->cap = 2 * ((size_t)max_payload + WIRE_HEADER_SIZE + WIRE_TRAILER_SIZE);
    d->buf = malloc(d->cap);
    return d->buf ? 0 : -1;
}

void wire_decoder_destroy(struct wire_decoder_s *d) {
    free(d->buf);
    d->buf = NULL;
}

static void wire_decoder_compact(struct wire_decoder_s *d) {
    if (d->start == 0) return;
    memmove(d->buf, d->buf + d->start, d->end - d->start);
    d->end -= d->start;
    d->start = 0;
}

uint8_t *wire_decoder_space(struct wire_decoder_s *d, size_t *avail) {
    if (d->end == d->cap) wire_decoder_compact(d);
    *avail = d->cap - d->end;
    return d->buf + d->end;
}

void wire_decoder_commit(struct wire_decoder_s *d, size_t n) { d->end += n; }

size_t wire_decoder_push(struct wire_decoder_s *d, const uint8_t *data, size_t n) {
    if (d->cap - d->end < n) wire_decoder_compact(d); /* room from what was taken: a text-safe line comes whole */
    size_t avail;
    uint8_t *space = wire_decoder_space(d, &avail);
    if (n > avail) n = avail;
    memcpy(space, data, n);
    wire_decoder_commit(d, n);
    return n;
}

/* Drops one byte at the current position and counts it: the next search starts after it. */
static void wire_decoder_skip(struct wire_decoder_s *d) {
    d->start++;
    d->stats.skipped_bytes++;
}

int wire_decoder_next(struct wire_decoder_s *d, struct wire_frame_s *out) {
    for (;;) {
        const uint8_t *p = d->buf + d->start;
        size_t have = d->end - d->start;
        if (have == 0) return 0;
        /* A byte that cannot start a frame goes now, even alone: what is skipped must not depend on
         * how the stream was cut into reads. */
        if (p[0] != WIRE_MAGIC0 || (have >= 2 && p[1] != WIRE_MAGIC1)) {
            const uint8_t *m = memchr(p + 1, WIRE_MAGIC0, have - 1);
            size_t skip = m ? (size_t)(m - p) : have;
            d->start += skip;
            d->stats.skipped_bytes += skip;
            continue;
        }
        if (have < WIRE_HEADER_SIZE) return 0;
        uint32_t length = bytes_get_u32le(p + 8);
        if (crc32_update(0, p, 12) != bytes_get_u32le(p + 12) || length > d->max_payload) {
            d->stats.header_errors++;
            wire_decoder_skip(d);
            continue;
        }
        size_t total = WIRE_HEADER_SIZE + (size_t)length + WIRE_TRAILER_SIZE;
        if (have < total) {
            if (d->start + total > d->cap) wire_decoder_compact(d);
            return 0;
        }
        if (crc32_update(0, p, total - WIRE_TRAILER_SIZE) != bytes_get_u32le(p + total - WIRE_TRAILER_SIZE)) {
            d->stats.crc_errors++;
            wire_decoder_skip(d);
            continue;
        }
        out->type = p[2];
        out->flags = p[3];
        out->id = bytes_get_u32le(p + 4);
        out->length = length;
        out->payload = p + WIRE_HEADER_SIZE;
        d->start += total;
        d->stats.frames++;
        return 1;
    }
}

void wire_write_header(uint8_t out[WIRE_HEADER_SIZE], uint8_t type, uint8_t flags, uint32_t id, uint32_t length) {
    out[0] = WIRE_MAGIC0;
    out[1] = WIRE_MAGIC1;
    out[2] = type;
    out[3] = flags;
    bytes_set_u32le(out + 4, id);
    bytes_set_u32le(out + 8, length);
    bytes_set_u32le(out + 12, crc32_update(0, out, 12));
}

size_t wire_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags, uint32_t id, const uint8_t *payload,
                   uint32_t length) {
    size_t total = WIRE_HEADER_SIZE + (size_t)length + WIRE_TRAILER_SIZE;
    if (total > cap) return 0;
    wire_write_header(out, type, flags, id, length);
    if (length) memcpy(out + WIRE_HEADER_SIZE, payload, length);
    bytes_set_u32le(out + WIRE_HEADER_SIZE + length, crc32_update(0, out, WIRE_HEADER_SIZE + length));
    return total;
}
