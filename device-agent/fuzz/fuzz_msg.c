/* The message codec against arbitrary payloads: whatever decodes re-encodes to the same bytes, an
 * encoder one byte short refuses instead of writing past its buffer, and msg_dump stays inside any
 * buffer it is given while always reporting the same length. Input: the type byte, then the payload. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

#include "fuzz_fail.h"

/* Heap copies of exactly the size in play, so ASan sees any byte read or written past them. */
static uint8_t *fuzz_copy(const uint8_t *p, size_t n) {
    uint8_t *c = malloc(n ? n : 1);
    if (!c) abort();
    if (p && n) memcpy(c, p, n);
    return c;
}

static void fuzz_check_dump(const struct msg_s *m) {
    size_t need = msg_dump(m, NULL, 0);
    const size_t caps[] = {1, 2, 17, need / 2 + 1, need, need + 1};
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        size_t cap = caps[i];
        char *out = malloc(cap);
        if (!out) abort();
        size_t got = msg_dump(m, out, cap);
        if (got != need) FUZZ_FAIL("msg_dump of %s says %zu bytes into %zu, %zu when measuring", msg_type_name(m->type), got, cap, need);
        size_t shown = need < cap ? need : cap - 1;
        if (strnlen(out, cap) != shown) FUZZ_FAIL("msg_dump of %s into %zu bytes is not a string of %zu", msg_type_name(m->type), cap, shown);
        free(out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t type = data[0];
    size_t len = size - 1;
    uint8_t *payload = fuzz_copy(data + 1, len);
    static struct msg_s m;
    if (msg_decode(type, 0x01020304, payload, len, &m) == 0) {
        uint8_t *again = fuzz_copy(NULL, len);
        long n = msg_encode_payload(&m, again, len);
        if (n != (long)len || memcmp(again, payload, len))
            FUZZ_FAIL("%s of %zu bytes re-encodes to %ld other bytes", msg_type_name(type), len, n);
        free(again);
        if (len > 0) {
            uint8_t *short_buf = fuzz_copy(NULL, len - 1);
            if (msg_encode_payload(&m, short_buf, len - 1) != -1)
                FUZZ_FAIL("%s encoded into a buffer one byte short", msg_type_name(type));
            free(short_buf);
        }
        fuzz_check_dump(&m);
    }
    free(payload);
    return 0;
}
