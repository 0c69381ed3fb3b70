/* Link framing: magic, type, request id, length, header CRC, payload, CRC (docs/protocol.md). */
#ifndef K230_WIRE_H
#define K230_WIRE_H
#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC0 0x4B /* 'K' */
#define WIRE_MAGIC1 0x32 /* '2' */
#define WIRE_HEADER_SIZE 16
#define WIRE_TRAILER_SIZE 4
#define WIRE_MAX_PAYLOAD (4u * 1024u * 1024u)

struct wire_frame_s {
    uint8_t type;
    uint8_t flags;
    uint32_t id;
    uint32_t length;
    const uint8_t *payload; /* points into the decoder's buffer until the next wire_decoder_* call */
};

struct wire_stats_s {
    uint64_t frames;
    uint64_t skipped_bytes;  /* bytes discarded while searching for a valid header */
    uint64_t header_errors;  /* header CRC mismatches or lengths over the limit */
    uint64_t crc_errors;     /* whole-frame CRC mismatches */
};

struct wire_decoder_s {
    uint8_t *buf;
    size_t cap;
    size_t start; /* first unconsumed byte */
    size_t end;   /* one past the last buffered byte */
    uint32_t max_payload;
    struct wire_stats_s stats;
};

/* max_payload bounds what this side accepts; the buffer is sized for it once, up front. */
int wire_decoder_init(struct wire_decoder_s *d, uint32_t max_payload);
void wire_decoder_destroy(struct wire_decoder_s *d);
/* Space to read into; call wire_decoder_commit with how many bytes arrived. */
uint8_t *wire_decoder_space(struct wire_decoder_s *d, size_t *avail);
void wire_decoder_commit(struct wire_decoder_s *d, size_t n);
/* Copies bytes in (a text-safe line's frames, tests and fuzzers); returns how many were taken. */
size_t wire_decoder_push(struct wire_decoder_s *d, const uint8_t *data, size_t n);
/* 1 and a frame when one is complete and valid, 0 when more bytes are needed. */
int wire_decoder_next(struct wire_decoder_s *d, struct wire_frame_s *out);

/* Fills the 16-byte header; the payload CRC continues from wire_header_crc_seed. */
void wire_write_header(uint8_t out[WIRE_HEADER_SIZE], uint8_t type, uint8_t flags, uint32_t id, uint32_t length);
/* Encodes a whole frame into out (tests, vectors); returns its size or 0 when cap is too small. */
size_t wire_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags, uint32_t id, const uint8_t *payload,
                   uint32_t length);

#endif
