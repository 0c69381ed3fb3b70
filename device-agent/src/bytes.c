#include "bytes.h"

#include <string.h>

void bytes_writer_init(struct bytes_writer_s *w, uint8_t *data, size_t cap) {
    w->data = data;
    w->cap = cap;
    w->len = 0;
    w->overflow = false;
}

void bytes_put(struct bytes_writer_s *w, const void *src, size_t n) {
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n) memcpy(w->data + w->len, src, n);
    w->len += n;
}

void bytes_put_u8(struct bytes_writer_s *w, uint8_t v) { bytes_put(w, &v, 1); }

void bytes_put_zeros(struct bytes_writer_s *w, size_t n) {
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    memset(w->data + w->len, 0, n);
    w->len += n;
}

void bytes_put_u16le(struct bytes_writer_s *w, uint16_t v) {
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    bytes_put(w, b, 2);
}

void bytes_put_u32le(struct bytes_writer_s *w, uint32_t v) {
    uint8_t b[4];
    bytes_set_u32le(b, v);
    bytes_put(w, b, 4);
}

void bytes_put_u64le(struct bytes_writer_s *w, uint64_t v) {
    bytes_put_u32le(w, (uint32_t)v);
    bytes_put_u32le(w, (uint32_t)(v >> 32));
}

void bytes_put_u16be(struct bytes_writer_s *w, uint16_t v) {
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    bytes_put(w, b, 2);
}

void bytes_put_u32be(struct bytes_writer_s *w, uint32_t v) {
    uint8_t b[4];
    bytes_set_u32be(b, v);
    bytes_put(w, b, 4);
}

void bytes_put_u64be(struct bytes_writer_s *w, uint64_t v) {
    bytes_put_u32be(w, (uint32_t)(v >> 32));
    bytes_put_u32be(w, (uint32_t)v);
}

void bytes_patch_u32be(struct bytes_writer_s *w, size_t at, uint32_t v) {
    if (!w->overflow && at + 4 <= w->len) bytes_set_u32be(w->data + at, v);
}

uint16_t bytes_get_u16le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

uint32_t bytes_get_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint64_t bytes_get_u64le(const uint8_t *p) {
    return (uint64_t)bytes_get_u32le(p) | ((uint64_t)bytes_get_u32le(p + 4) << 32);
}

void bytes_set_u32le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void bytes_set_u32be(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
