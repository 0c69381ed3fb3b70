/* A bounded byte writer and explicit-endian readers shared by the message codec and the muxer. */
#ifndef K230_BYTES_H
#define K230_BYTES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bytes_writer_s {
    uint8_t *data;
    size_t cap;
    size_t len;
    bool overflow; /* set once a put did not fit; the writer then ignores further puts */
};

void bytes_writer_init(struct bytes_writer_s *w, uint8_t *data, size_t cap);
void bytes_put(struct bytes_writer_s *w, const void *src, size_t n);
void bytes_put_u8(struct bytes_writer_s *w, uint8_t v);
void bytes_put_zeros(struct bytes_writer_s *w, size_t n);
void bytes_put_u16le(struct bytes_writer_s *w, uint16_t v);
void bytes_put_u32le(struct bytes_writer_s *w, uint32_t v);
void bytes_put_u64le(struct bytes_writer_s *w, uint64_t v);
void bytes_put_u16be(struct bytes_writer_s *w, uint16_t v);
void bytes_put_u32be(struct bytes_writer_s *w, uint32_t v);
void bytes_put_u64be(struct bytes_writer_s *w, uint64_t v);
/* Overwrites 4 bytes at an earlier offset (box sizes patched after their contents). */
void bytes_patch_u32be(struct bytes_writer_s *w, size_t at, uint32_t v);

uint16_t bytes_get_u16le(const uint8_t *p);
uint32_t bytes_get_u32le(const uint8_t *p);
uint64_t bytes_get_u64le(const uint8_t *p);
void bytes_set_u32le(uint8_t *p, uint32_t v);
void bytes_set_u32be(uint8_t *p, uint32_t v);

#endif
