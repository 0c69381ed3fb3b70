/* Text-safe frames: a base64 line per frame is decoded into the frames it holds, in any pieces;
 * noise lines, damaged lines and overlong lines cost only themselves. */
#include <stdlib.h>

#include "check.h"
#include "text_frames.h"
#include "wire.h"

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The test's own encoder: the host's is Node's Buffer.toString('base64'). */
static size_t base64(const uint8_t *in, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    return o;
}

/* A text line holding one frame of `len` payload bytes, with id `id`; returns its length. */
static size_t frame_line(char *out, uint32_t id, size_t len) {
    uint8_t payload[1024], frame[1100];
    for (size_t i = 0; i < len; i++) payload[i] = (uint8_t)(i * 13 + id);
    size_t n = wire_encode(frame, sizeof(frame), 0x06, 0, id, payload, (uint32_t)len);
    size_t o = base64(frame, n, out);
    out[o++] = '\n';
    return o;
}

static int ids_of(struct text_frames_s *t, uint32_t *ids, int max) {
    int n = 0;
    struct wire_frame_s f;
    while (n < max && wire_decoder_next(&t->frames, &f)) ids[n++] = f.id;
    return n;
}

static void test_base64_decodes_each_padding(void) {
    uint8_t out[8];
    CHECK_EQ_INT(text_frames_base64_decode("S2g=", 4, out), 2);
    CHECK(out[0] == 'K' && out[1] == 'h');
    CHECK_EQ_INT(text_frames_base64_decode("S2gy", 4, out), 3);
    CHECK_EQ_INT(text_frames_base64_decode("Sw==", 4, out), 1);
    CHECK_EQ_INT(text_frames_base64_decode("S2g", 3, out), -1);      /* not a multiple of 4 */
    CHECK_EQ_INT(text_frames_base64_decode("S=gy", 4, out), -1);     /* padding inside */
    CHECK_EQ_INT(text_frames_base64_decode("Sw==S2gy", 8, out), -1); /* padding before the end */
    CHECK_EQ_INT(text_frames_base64_decode("S g=", 4, out), -1);
}

static void test_lines_in_any_pieces_give_their_frames(void) {
    struct text_frames_s t;
    CHECK_EQ_INT(text_frames_init(&t, 1024), 0);
    char text[2000];
    size_t n = frame_line(text, 1, 20);
    n += frame_line(text + n, 2, 0);
    memcpy(text + n, "\r\n", 2); /* an empty line, as a REPL probe leaves */
    n += 2;
    n += frame_line(text + n, 3, 200);
    for (size_t at = 0; at < n; at += 5) text_frames_push(&t, (const uint8_t *)text + at, n - at < 5 ? n - at : 5);
    uint32_t ids[8];
    CHECK_EQ_INT(ids_of(&t, ids, 8), 3);
    CHECK(ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
    text_frames_destroy(&t);
}

static void test_noise_and_damage_cost_only_their_line(void) {
    struct text_frames_s t;
    CHECK_EQ_INT(text_frames_init(&t, 1024), 0);
    char text[2000];
    size_t n = 0;
    memcpy(text, "!bye\nprint(1)\n", 14);
    n += 14;
    size_t at = n;
    n += frame_line(text + n, 4, 40);
    text[at + 10] = text[at + 10] == 'A' ? 'B' : 'A'; /* a damaged character: its frame's CRC fails */
    n += frame_line(text + n, 5, 40);
    text_frames_push(&t, (const uint8_t *)text, n);
    uint32_t ids[8];
    CHECK_EQ_INT(ids_of(&t, ids, 8), 1);
    CHECK_EQ_INT(ids[0], 5);
    text_frames_destroy(&t);
}

static void test_an_overlong_line_is_dropped_and_the_next_one_counts(void) {
    struct text_frames_s t;
    CHECK_EQ_INT(text_frames_init(&t, 64), 0);
    char *junk = malloc(t.cap + 100);
    memset(junk, 'A', t.cap + 100);
    text_frames_push(&t, (const uint8_t *)junk, t.cap + 100);
    text_frames_push(&t, (const uint8_t *)"\n", 1);
    char text[400];
    size_t n = frame_line(text, 6, 10);
    text_frames_push(&t, (const uint8_t *)text, n);
    uint32_t ids[4];
    CHECK_EQ_INT(ids_of(&t, ids, 4), 1);
    CHECK_EQ_INT(ids[0], 6);
    free(junk);
    text_frames_destroy(&t);
}

/* The probe of a host that found silence: its HELLO line, then a Ctrl-B with no line end. The next
 * host's line must not inherit it, nor the tail of a line cut when a port closed. */
static void test_a_byte_no_line_holds_starts_the_line_again(void) {
    struct text_frames_s t;
    CHECK_EQ_INT(text_frames_init(&t, 1024), 0);
    char text[2000];
    size_t n = frame_line(text, 7, 30);
    text[n++] = '\x02';
    n += frame_line(text + n, 8, 30);
    size_t cut = frame_line(text + n, 9, 60) / 2; /* a line cut in its middle... */
    n += cut;
    memcpy(text + n, "\r\x03\x03\x02", 4); /* ...then a REPL probe's bytes */
    n += 4;
    n += frame_line(text + n, 10, 30);
    text_frames_push(&t, (const uint8_t *)text, n);
    uint32_t ids[8];
    CHECK_EQ_INT(ids_of(&t, ids, 8), 3);
    CHECK(ids[0] == 7 && ids[1] == 8 && ids[2] == 10);
    text_frames_destroy(&t);
}

/* An upload's long run of large FILE_WRITEs, each taken as it comes: the decoder makes room from what
 * was taken, however far into its buffer the lines before have come (once, it cut the third off). */
static void test_large_frames_keep_coming_line_after_line(void) {
    struct text_frames_s t;
    CHECK_EQ_INT(text_frames_init(&t, 1024), 0);
    char text[1000];
    int taken = 0;
    for (uint32_t id = 1; id <= 8; id++) {
        size_t n = frame_line(text, id, 700);
        text_frames_push(&t, (const uint8_t *)text, n);
        uint32_t ids[2];
        int got = ids_of(&t, ids, 2);
        CHECK_EQ_INT(got, 1);
        if (got == 1) CHECK_EQ_INT(ids[0], id);
        taken += got;
    }
    CHECK_EQ_INT(taken, 8);
    text_frames_destroy(&t);
}

int main(void) {
    test_a_byte_no_line_holds_starts_the_line_again();
    test_large_frames_keep_coming_line_after_line();
    test_base64_decodes_each_padding();
    test_lines_in_any_pieces_give_their_frames();
    test_noise_and_damage_cost_only_their_line();
    test_an_overlong_line_is_dropped_and_the_next_one_counts();
    return check_report("test_text_frames");
}
