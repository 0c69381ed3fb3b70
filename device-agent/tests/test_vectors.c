/* The golden vectors in test/vectors: the C side decodes each frame to the stated fields and
 * re-encodes it to the same bytes, recovers the stated frames from each damaged stream, and takes
 * the stated frames from the host's text-safe lines among noise. */
#include <stdlib.h>

#include "check.h"
#include "msg.h"
#include "text_frames.h"
#include "wire.h"

#define VEC_MAX 65536

struct vec_section_s {
    char name[128];
    char fields[VEC_MAX]; /* "key = value\n" lines after the frame/stream line */
    uint8_t bytes[VEC_MAX / 2];
    size_t size;
};

static size_t vec_unhex(const char *text, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (; text[0] && text[1] && text[0] != '\n' && n < cap; text += 2) {
        unsigned v;
        if (sscanf(text, "%2x", &v) != 1) break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Reads the next [section] of f; returns 0 at the end of the file. */
static int vec_next(FILE *f, struct vec_section_s *s) {
    static char line[VEC_MAX];
    memset(s, 0, sizeof(*s));
    int in_section = 0;
    long mark = ftell(f);
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n') {
            mark = ftell(f);
            continue;
        }
        if (line[0] == '[') {
            if (in_section) {
                fseek(f, mark, SEEK_SET);
                return 1;
            }
            in_section = 1;
            snprintf(s->name, sizeof(s->name), "%.*s", (int)(strcspn(line + 1, "]")), line + 1);
        } else if (!strncmp(line, "frame = ", 8) || !strncmp(line, "stream = ", 9)) {
            s->size = vec_unhex(strchr(line, '=') + 2, s->bytes, sizeof(s->bytes));
        } else {
            size_t have = strlen(s->fields);
            snprintf(s->fields + have, sizeof(s->fields) - have, "%s", line);
        }
        mark = ftell(f);
    }
    return in_section;
}

static FILE *vec_open(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) fprintf(stderr, "cannot open %s\n", path);
    CHECK(f != NULL);
    return f;
}

static void test_messages_decode_and_re_encode_byte_for_byte(const char *dir) {
    FILE *f = vec_open(dir, "messages.vec");
    if (!f) return;
    static struct vec_section_s s;
    int sections = 0;
    while (vec_next(f, &s)) {
        sections++;
        struct wire_decoder_s d;
        wire_decoder_init(&d, WIRE_MAX_PAYLOAD);
        wire_decoder_push(&d, s.bytes, s.size);
        struct wire_frame_s frame;
        CHECK_EQ_INT(wire_decoder_next(&d, &frame), 1);
        struct msg_s m;
        CHECK_EQ_INT(msg_decode(frame.type, frame.id, frame.payload, frame.length, &m), 0);
        static char dump[VEC_MAX];
        msg_dump(&m, dump, sizeof(dump));
        CHECK_EQ_STR(dump, s.fields);
        static uint8_t payload[VEC_MAX], again[VEC_MAX];
        long n = msg_encode_payload(&m, payload, sizeof(payload));
        CHECK(n >= 0);
        size_t total = wire_encode(again, sizeof(again), m.type, 0, m.id, payload, (uint32_t)n);
        CHECK_EQ_INT(total, s.size);
        if (total != s.size || memcmp(again, s.bytes, s.size)) fprintf(stderr, "  re-encoding [%s] differs\n", s.name);
        CHECK(total == s.size && !memcmp(again, s.bytes, s.size));
        wire_decoder_destroy(&d);
    }
    CHECK(sections >= 10);
    fclose(f);
}

/* "frames = type/id ..." for the frames d yields, into got (VEC_MAX bytes). */
static void vec_list_frames(struct wire_decoder_s *d, char *got) {
    strcpy(got, "frames =");
    struct wire_frame_s frame;
    while (wire_decoder_next(d, &frame)) snprintf(got + strlen(got), VEC_MAX - strlen(got), " %x/%u", frame.type, frame.id);
}

static void test_damaged_streams_give_the_stated_frames(const char *dir) {
    FILE *f = vec_open(dir, "streams.vec");
    if (!f) return;
    static struct vec_section_s s;
    int sections = 0;
    while (vec_next(f, &s)) {
        sections++;
        struct wire_decoder_s d;
        wire_decoder_init(&d, WIRE_MAX_PAYLOAD);
        wire_decoder_push(&d, s.bytes, s.size);
        static char got[VEC_MAX];
        vec_list_frames(&d, got);
        snprintf(got + strlen(got), VEC_MAX - strlen(got),
                 "\nskipped_bytes = %llu\nheader_errors = %llu\ncrc_errors = %llu\n",
                 (unsigned long long)d.stats.skipped_bytes, (unsigned long long)d.stats.header_errors,
                 (unsigned long long)d.stats.crc_errors);
        CHECK_EQ_STR(got, s.fields);
        wire_decoder_destroy(&d);
    }
    CHECK(sections >= 1);
    fclose(f);
}

static void test_lines_give_the_stated_frames(const char *dir) {
    FILE *f = vec_open(dir, "lines.vec");
    if (!f) return;
    static struct vec_section_s s;
    int sections = 0;
    while (vec_next(f, &s)) {
        sections++;
        struct text_frames_s t;
        CHECK_EQ_INT(text_frames_init(&t, WIRE_MAX_PAYLOAD), 0);
        for (size_t at = 0; at < s.size; at += 5) /* in pieces, as reads cut it */
            text_frames_push(&t, s.bytes + at, s.size - at < 5 ? s.size - at : 5);
        static char got[VEC_MAX];
        vec_list_frames(&t.frames, got);
        strcat(got, "\n");
        CHECK_EQ_STR(got, s.fields);
        text_frames_destroy(&t);
    }
    CHECK(sections >= 1);
    fclose(f);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../test/vectors";
    test_messages_decode_and_re_encode_byte_for_byte(dir);
    test_damaged_streams_give_the_stated_frames(dir);
    test_lines_give_the_stated_frames(dir);
    return check_report("test_vectors");
}
