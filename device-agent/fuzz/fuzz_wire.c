/* The frame decoder against arbitrary bytes in arbitrary pieces. Every frame that comes out is the
 * stream's own bytes (re-encoding it gives them back, at the offset the decoder's counts put it),
 * the pieces change nothing (a one-piece run gives the same frames and counts), every byte is
 * accounted for (skipped, in a frame, or still pending), and the decoder never stalls.
 * Input: one byte choosing the payload limit, one seeding the piece sizes, then the stream. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static const uint32_t fuzz_limits[] = {0, 1, 16, 300, 1024, 65536, WIRE_MAX_PAYLOAD};
#define FUZZ_LIMITS (sizeof(fuzz_limits) / sizeof(fuzz_limits[0]))

struct fuzz_run_s {
    uint64_t frames;
    uint64_t framed_bytes;
    uint64_t digest; /* FNV-1a over each frame's offset, type, flags, id and length */
    struct wire_stats_s stats;
    size_t pending;
};

#include "fuzz_fail.h"

static void fuzz_digest(uint64_t *h, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        *h ^= (uint8_t)(v >> (8 * i));
        *h *= 0x100000001b3ull;
    }
}

/* The next piece size: 1..2^(1 + seed % 12) bytes, or the rest in one piece when seed is 0. */
static size_t fuzz_piece(uint32_t *state, uint8_t seed, size_t left) {
    if (!seed) return left;
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    size_t piece = 1 + *state % (2u << (seed % 12));
    return piece < left ? piece : left;
}

static void fuzz_check_frame(const uint8_t *stream, size_t len, const struct wire_decoder_s *d,
                             const struct wire_frame_s *f, struct fuzz_run_s *run, uint32_t limit) {
    size_t total = WIRE_HEADER_SIZE + (size_t)f->length + WIRE_TRAILER_SIZE;
    /* skipped_bytes already counts what was dropped in front of this frame */
    uint64_t offset = d->stats.skipped_bytes + run->framed_bytes;
    if (f->length > limit) FUZZ_FAIL("frame of %u bytes over the limit %u", f->length, limit);
    if (offset + total > len) FUZZ_FAIL("frame at %llu runs past the stream", (unsigned long long)offset);
    uint8_t *again = malloc(total);
    if (!again) abort();
    if (wire_encode(again, total, f->type, f->flags, f->id, f->payload, f->length) != total)
        FUZZ_FAIL("a decoded frame does not re-encode");
    if (memcmp(again, stream + offset, total))
        FUZZ_FAIL("frame at %llu re-encodes to other bytes", (unsigned long long)offset);
    free(again);
    run->frames++;
    run->framed_bytes += total;
    fuzz_digest(&run->digest, offset);
    fuzz_digest(&run->digest, ((uint64_t)f->type << 40) | ((uint64_t)f->flags << 32) | f->id);
    fuzz_digest(&run->digest, f->length);
}

static void fuzz_decode(const uint8_t *stream, size_t len, uint32_t limit, uint8_t seed, struct fuzz_run_s *run) {
    struct wire_decoder_s d;
    if (wire_decoder_init(&d, limit) < 0) abort();
    memset(run, 0, sizeof(*run));
    run->digest = 0xcbf29ce484222325ull;
    uint32_t state = 0x9e3779b9u ^ seed;
    size_t at = 0;
    while (at < len) {
        at += wire_decoder_push(&d, stream + at, fuzz_piece(&state, seed, len - at));
        struct wire_frame_s f;
        while (wire_decoder_next(&d, &f)) fuzz_check_frame(stream, len, &d, &f, run, limit);
        size_t avail;
        wire_decoder_space(&d, &avail);
        if (avail == 0) FUZZ_FAIL("decoder stalled: no room and no frame");
    }
    run->stats = d.stats;
    run->pending = d.end - d.start;
    if (run->stats.frames != run->frames) FUZZ_FAIL("stats count %llu frames, %llu came out",
                                                    (unsigned long long)run->stats.frames,
                                                    (unsigned long long)run->frames);
    if (run->stats.skipped_bytes + run->framed_bytes + run->pending != len)
        FUZZ_FAIL("bytes unaccounted for: %llu skipped + %llu framed + %zu pending != %zu",
                  (unsigned long long)run->stats.skipped_bytes, (unsigned long long)run->framed_bytes,
                  run->pending, len);
    wire_decoder_destroy(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint32_t limit = fuzz_limits[data[0] % FUZZ_LIMITS];
    uint8_t seed = data[1];
    const uint8_t *stream = data + 2;
    size_t len = size - 2;
    struct fuzz_run_s pieces, whole;
    fuzz_decode(stream, len, limit, seed, &pieces);
    fuzz_decode(stream, len, limit, 0, &whole);
    if (pieces.digest != whole.digest || pieces.pending != whole.pending ||
        memcmp(&pieces.stats, &whole.stats, sizeof(pieces.stats)))
        FUZZ_FAIL("pieces of seed %u give other frames or counts than the whole stream", seed);
    return 0;
}
