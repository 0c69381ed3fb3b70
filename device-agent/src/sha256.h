/* SHA-256 (FIPS 180-4): the whole-file checksum a pull is verified against. */
#ifndef K230_SHA256_H
#define K230_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

struct sha256_s {
    uint32_t state[8];
    uint64_t length; /* bytes fed so far */
    uint8_t block[64];
    size_t used;     /* bytes waiting in block */
};

void sha256_init(struct sha256_s *h);
void sha256_update(struct sha256_s *h, const uint8_t *data, size_t len);
void sha256_final(struct sha256_s *h, uint8_t out[SHA256_SIZE]);

#endif
