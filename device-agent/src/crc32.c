#include "crc32.h"

/* Slice-by-4 tables, built once on first use; the link pushes every payload byte through here. */
static uint32_t crc32_table[4][256];
static int crc32_ready;

static void crc32_build(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc32_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 4; t++) {
            uint32_t prev = crc32_table[t - 1][i];
            crc32_table[t][i] = (prev >> 8) ^ crc32_table[0][prev & 0xFF];
        }
    }
    crc32_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len) {
    if (!crc32_ready) crc32_build();
    uint32_t c = ~crc;
    while (len >= 4) {
        /* Bytes are combined explicitly: no unaligned loads, no host byte-order assumption. */
        c ^= (uint32_t)data[0] | ((uint32_t)data[1] << 8) | ((uint32_t)data[2] << 16) | ((uint32_t)data[3] << 24);
        c = crc32_table[3][c & 0xFF] ^ crc32_table[2][(c >> 8) & 0xFF] ^
            crc32_table[1][(c >> 16) & 0xFF] ^ crc32_table[0][c >> 24];
        data += 4;
        len -= 4;
    }
    while (len--) c = (c >> 8) ^ crc32_table[0][(c ^ *data++) & 0xFF];
    return ~c;
}
