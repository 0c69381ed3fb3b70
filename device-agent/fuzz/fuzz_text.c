/* The text-safe frame decoder against arbitrary bytes in arbitrary pieces: the pieces change
 * nothing (a one-piece run gives the same frames), and each frame that comes out is whole and
 * within the limit. Input: one byte seeding the piece sizes, then the bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_fail.h"
#include "text_frames.h"

#define FUZZ_TEXT_LIMIT 1024

static uint64_t fuzz_text_run(const uint8_t *data, size_t size, unsigned seed, uint64_t *frames) {
    static struct text_frames_s t;
    static int ready;
    if (!ready && text_frames_init(&t, FUZZ_TEXT_LIMIT) == 0) ready = 1;
    if (!ready) FUZZ_FAIL("no memory");
    text_frames_reset(&t);
    uint64_t digest = 0xcbf29ce484222325ull;
    *frames = 0;
    for (size_t at = 0; at < size;) {
        size_t piece = seed ? 1 + (seed * (at + 7)) % 97 : size;
        if (piece > size - at) piece = size - at;
        text_frames_push(&t, data + at, piece);
        at += piece;
        struct wire_frame_s f;
        while (wire_decoder_next(&t.frames, &f)) {
            if (f.length > FUZZ_TEXT_LIMIT) FUZZ_FAIL("a frame of %u bytes over the %u limit", f.length, FUZZ_TEXT_LIMIT);
            (*frames)++;
            digest = (digest ^ f.id ^ ((uint64_t)f.type << 32) ^ ((uint64_t)f.length << 40)) * 0x100000001b3ull;
        }
    }
    return digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint64_t frames_pieces, frames_whole;
    uint64_t a = fuzz_text_run(data + 1, size - 1, data[0] | 1u, &frames_pieces);
    uint64_t b = fuzz_text_run(data + 1, size - 1, 0, &frames_whole);
    if (a != b || frames_pieces != frames_whole) FUZZ_FAIL("the pieces changed the frames (%llu vs %llu)",
                                                           (unsigned long long)frames_pieces, (unsigned long long)frames_whole);
    return 0;
}
