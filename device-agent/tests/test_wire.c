/* Framing: frames round-trip, and the decoder resynchronises after garbage, a flipped bit or a lost byte. */
#include <stdlib.h>

#include "check.h"
#include "crc32.h"
#include "wire.h"

static size_t make_frame(uint8_t *out, size_t cap, uint8_t type, uint32_t id, size_t len) {
    uint8_t payload[600];
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)(i * 7 + id);
    return wire_encode(out, cap, type, 0, id, payload, (uint32_t)len);
}

/* Pushes a stream in small pieces and returns the ids of the frames that came out. */
static int decode_ids(const uint8_t *stream, size_t len, uint32_t *ids, int max, struct wire_stats_s *stats) {
    struct wire_decoder_s d;
    wire_decoder_init(&d, 1024);
    int n = 0;
    for (size_t at = 0; at < len; at += 7) {
        size_t piece = len - at < 7 ? len - at : 7;
        wire_decoder_push(&d, stream + at, piece);
        struct wire_frame_s f;
        while (wire_decoder_next(&d, &f) && n < max) ids[n++] = f.id;
    }
    *stats = d.stats;
    wire_decoder_destroy(&d);
    return n;
}

static void test_crc32_known_value(void) {
    CHECK_EQ_INT(crc32_update(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint32_t split = crc32_update(crc32_update(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5);
    CHECK_EQ_INT(split, 0xCBF43926u);
}

static void test_frames_round_trip(void) {
    uint8_t stream[4096];
    size_t len = 0;
    for (uint32_t id = 1; id <= 5; id++) len += make_frame(stream + len, sizeof(stream) - len, 0x80, id, id * 100);
    uint32_t ids[8];
    struct wire_stats_s st;
    int n = decode_ids(stream, len, ids, 8, &st);
    CHECK_EQ_INT(n, 5);
    for (int i = 0; i < n; i++) CHECK_EQ_INT(ids[i], i + 1);
    CHECK_EQ_INT(st.skipped_bytes, 0);
}

static void test_garbage_before_and_between_frames_is_skipped(void) {
    uint8_t stream[4096];
    size_t len = 0;
    static const uint8_t garbage[] = {'K', '2', 0x00, 'K', 0x41, 0x42, 0x0D, 0x0A, '>', '>', '>', ' '};
    memcpy(stream, garbage, sizeof(garbage));
    len += sizeof(garbage);
    len += make_frame(stream + len, sizeof(stream) - len, 0x80, 1, 50);
    memcpy(stream + len, garbage, sizeof(garbage));
    len += sizeof(garbage);
    len += make_frame(stream + len, sizeof(stream) - len, 0x80, 2, 50);
    uint32_t ids[4];
    struct wire_stats_s st;
    CHECK_EQ_INT(decode_ids(stream, len, ids, 4, &st), 2);
    CHECK_EQ_INT(ids[0], 1);
    CHECK_EQ_INT(ids[1], 2);
    CHECK_EQ_INT(st.skipped_bytes, 2 * sizeof(garbage));
}

static void test_flipped_bit_loses_only_that_frame(void) {
    uint8_t stream[4096];
    size_t len = 0, second = 0;
    for (uint32_t id = 1; id <= 3; id++) {
        if (id == 2) second = len;
        len += make_frame(stream + len, sizeof(stream) - len, 0x80, id, 300);
    }
    stream[second + WIRE_HEADER_SIZE + 150] ^= 0x10;
    uint32_t ids[4];
    struct wire_stats_s st;
    CHECK_EQ_INT(decode_ids(stream, len, ids, 4, &st), 2);
    CHECK_EQ_INT(ids[0], 1);
    CHECK_EQ_INT(ids[1], 3);
    CHECK_EQ_INT(st.crc_errors, 1);
}

static void test_dropped_byte_loses_only_that_frame(void) {
    uint8_t stream[4096];
    size_t len = 0, second = 0;
    for (uint32_t id = 1; id <= 3; id++) {
        if (id == 2) second = len;
        len += make_frame(stream + len, sizeof(stream) - len, 0x80, id, 300);
    }
    size_t cut = second + WIRE_HEADER_SIZE + 10;
    memmove(stream + cut, stream + cut + 1, len - cut - 1);
    len--;
    uint32_t ids[4];
    struct wire_stats_s st;
    CHECK_EQ_INT(decode_ids(stream, len, ids, 4, &st), 2);
    CHECK_EQ_INT(ids[0], 1);
    CHECK_EQ_INT(ids[1], 3);
}

static void test_oversized_length_is_refused_from_the_header(void) {
    uint8_t stream[256];
    wire_write_header(stream, 0x80, 0, 9, 1u << 30); /* valid header CRC, absurd length */
    size_t len = WIRE_HEADER_SIZE;
    len += make_frame(stream + len, sizeof(stream) - len, 0x80, 10, 20);
    uint32_t ids[2];
    struct wire_stats_s st;
    CHECK_EQ_INT(decode_ids(stream, len, ids, 2, &st), 1);
    CHECK_EQ_INT(ids[0], 10);
    CHECK_EQ_INT(st.header_errors, 1);
}

/* Pushes a stream in pieces of `piece` bytes; the decoder's counts and what it still holds at the end. */
static struct wire_stats_s decode_in_pieces(const uint8_t *stream, size_t len, size_t piece, size_t *pending) {
    struct wire_decoder_s d;
    wire_decoder_init(&d, 1024);
    for (size_t at = 0; at < len; at += piece) {
        wire_decoder_push(&d, stream + at, len - at < piece ? len - at : piece);
        struct wire_frame_s f;
        while (wire_decoder_next(&d, &f)) {
        }
    }
    struct wire_stats_s st = d.stats;
    *pending = d.end - d.start;
    wire_decoder_destroy(&d);
    return st;
}

/* Found by fuzz_wire: after a frame whose CRC fails, one last byte that cannot start a frame was
 * skipped when it came with the rest, but held as pending when it came alone. */
static void test_counts_do_not_depend_on_how_the_stream_is_cut(void) {
    uint8_t frame[64], stream[64];
    size_t n = make_frame(frame, sizeof(frame), 0x14, 24, 23);
    memcpy(stream, frame, n - WIRE_TRAILER_SIZE);
    stream[n - WIRE_TRAILER_SIZE] = '#'; /* a byte inserted in front of the CRC */
    memcpy(stream + n - WIRE_TRAILER_SIZE + 1, frame + n - WIRE_TRAILER_SIZE, WIRE_TRAILER_SIZE);
    size_t len = n + 1;
    size_t pending_whole, pending_bytes;
    struct wire_stats_s whole = decode_in_pieces(stream, len, len, &pending_whole);
    struct wire_stats_s bytes = decode_in_pieces(stream, len, 1, &pending_bytes);
    CHECK_EQ_INT(whole.crc_errors, 1);
    CHECK_EQ_INT(whole.skipped_bytes, len);
    CHECK_EQ_INT(pending_whole, 0);
    CHECK_EQ_INT(bytes.crc_errors, whole.crc_errors);
    CHECK_EQ_INT(bytes.skipped_bytes, whole.skipped_bytes);
    CHECK_EQ_INT(pending_bytes, pending_whole);
}

static void test_a_lone_byte_that_cannot_start_a_frame_is_skipped_at_once(void) {
    size_t pending;
    struct wire_stats_s st = decode_in_pieces((const uint8_t *)"x", 1, 1, &pending);
    CHECK_EQ_INT(st.skipped_bytes, 1);
    CHECK_EQ_INT(pending, 0);
    st = decode_in_pieces((const uint8_t *)"xK", 2, 1, &pending); /* a lone magic byte may start one: kept */
    CHECK_EQ_INT(st.skipped_bytes, 1);
    CHECK_EQ_INT(pending, 1);
}

int main(void) {
    test_crc32_known_value();
    test_frames_round_trip();
    test_garbage_before_and_between_frames_is_skipped();
    test_flipped_bit_loses_only_that_frame();
    test_dropped_byte_loses_only_that_frame();
    test_oversized_length_is_refused_from_the_header();
    test_counts_do_not_depend_on_how_the_stream_is_cut();
    test_a_lone_byte_that_cannot_start_a_frame_is_skipped_at_once();
    return check_report("test_wire");
}
