/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) used by the link framing. */
#ifndef K230_CRC32_H
#define K230_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* Start with crc32_update(0, ...); feed further pieces by passing the previous result. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
