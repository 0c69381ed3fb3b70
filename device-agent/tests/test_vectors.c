/* The golden vectors in test/vectors: the C side decodes each frame to the stated fields and
 * re-encodes it to the same bytes, recovers the stated frames from each damaged stream, takes
 * the stated frames from the host's text-safe lines among noise, and muxes fmp4.vec's access units
 * and chunks of sound to the stated bytes.
 * `test_vectors --print-fmp4 FILE` prints FILE's sections with the bytes this muxer makes of them
 * (test/vectors/make-vectors.ts writes fmp4.vec so, once ffprobe has read them). */
#include <stdlib.h>

#include "bytes.h"
#include "check.h"
#include "fmp4.h"
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

/* A field's value ("key = value"), up to its line's end; NULL when the section has none. */
static const char *vec_value(const struct vec_section_s *s, const char *key) {
    size_t n = strlen(key);
    for (const char *line = s->fields; *line; line = strchr(line, '\n') + 1) {
        if (!strncmp(line, key, n) && !strncmp(line + n, " = ", 3)) return line + n + 3;
        if (!strchr(line, '\n')) break;
    }
    return NULL;
}

static long vec_number(const struct vec_section_s *s, const char *key) {
    const char *v = vec_value(s, key);
    CHECK(v != NULL);
    return v ? strtol(v, NULL, 10) : 0;
}

static size_t vec_put_hex(char *out, size_t cap, const uint8_t *bytes, size_t size) {
    size_t n = 0;
    for (size_t i = 0; i < size && n + 3 <= cap; i++) n += (size_t)snprintf(out + n, cap - n, "%02x", bytes[i]);
    return n;
}

/* The lines fmp4.c makes of an fmp4.vec section's inputs: "codec_string = " (init segments only)
 * and "fmp4 = ", the init segment, or the fragment's moof and mdat with its sample. */
static void vec_fmp4_lines(const struct vec_section_s *s, char *out, size_t cap) {
    static uint8_t input[VEC_MAX / 2], bytes[VEC_MAX / 2];
    size_t size = 0;
    out[0] = 0;
    if (vec_value(s, "chunk")) { /* a chunk of sound */
        size_t n = vec_unhex(vec_value(s, "chunk"), input, sizeof(input));
        uint64_t decode_time = fmp4_sound_decode_time(vec_number(s, "since_us"), (int)vec_number(s, "audio_rate"));
        size = fmp4_write_fragment(bytes, sizeof(bytes), (uint32_t)vec_number(s, "number"), FMP4_AUDIO_TRACK,
                                   decode_time, (uint32_t)n, (uint32_t)n, 1);
        memcpy(bytes + size, input, n);
        size += n;
    } else {
        const char *hex = vec_value(s, "access_unit");
        CHECK(hex != NULL);
        size_t n = hex ? vec_unhex(hex, input, sizeof(input)) : 0;
        struct camera_au_s au = {0};
        int count = nal_split_annexb(input, n, au.nals, CAMERA_MAX_NALS);
        CHECK(count > 0);
        au.nal_count = count > 0 ? (size_t)count : 0;
        enum camera_codec_e codec = (enum camera_codec_e)vec_number(s, "codec");
        if (vec_value(s, "number")) { /* a picture's fragment */
            uint64_t decode_time = fmp4_picture_decode_time(vec_number(s, "since_us"));
            size = fmp4_write_fragment(bytes, sizeof(bytes), (uint32_t)vec_number(s, "number"), FMP4_VIDEO_TRACK,
                                       decode_time, FMP4_TIMESCALE / (uint32_t)vec_number(s, "fps"),
                                       (uint32_t)fmp4_sample_size(&au), (int)vec_number(s, "keyframe"));
            for (size_t i = 0; i < au.nal_count; i++) {
                bytes_set_u32be(bytes + size, (uint32_t)au.nals[i].size);
                memcpy(bytes + size + 4, au.nals[i].data, au.nals[i].size);
                size += 4 + au.nals[i].size;
            }
        } else { /* an init segment (it has no frame rate) */
            struct fmp4_track_s t;
            CHECK_EQ_INT(fmp4_track_from_keyframe(&t, codec, (int)vec_number(s, "width"), (int)vec_number(s, "height"),
                                                  0, &au),
                         0);
            t.audio = (struct audio_settings_s){(enum audio_codec_e)vec_number(s, "audio"), (int)vec_number(s, "audio_rate")};
            size = fmp4_write_init(&t, bytes, sizeof(bytes));
            snprintf(out, cap, "codec_string = %s\n", t.codec_string);
        }
    }
    CHECK(size > 0);
    size_t at = strlen(out);
    at += (size_t)snprintf(out + at, cap - at, "fmp4 = ");
    at += vec_put_hex(out + at, cap - at, bytes, size);
    snprintf(out + at, cap - at, "\n");
}

/* The section's own lines for what the muxer makes (codec_string, fmp4), in their order. */
static void vec_fmp4_stated(const struct vec_section_s *s, char *out, size_t cap) {
    out[0] = 0;
    for (const char *line = s->fields; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        if (!strncmp(line, "codec_string = ", 15) || !strncmp(line, "fmp4 = ", 7))
            snprintf(out + strlen(out), cap - strlen(out), "%.*s", (int)len, line);
        line += len;
    }
}

static void test_fmp4_vectors_are_muxed_byte_for_byte(const char *dir) {
    FILE *f = vec_open(dir, "fmp4.vec");
    if (!f) return;
    static struct vec_section_s s;
    static char got[VEC_MAX], want[VEC_MAX];
    int sections = 0;
    while (vec_next(f, &s)) {
        sections++;
        vec_fmp4_lines(&s, got, sizeof(got));
        vec_fmp4_stated(&s, want, sizeof(want));
        if (strcmp(got, want)) fprintf(stderr, "  [%s] differs\n", s.name);
        CHECK_EQ_STR(got, want);
    }
    CHECK(sections >= 10);
    fclose(f);
}

static int vec_print_fmp4(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    static struct vec_section_s s;
    static char lines[VEC_MAX];
    while (vec_next(f, &s)) {
        vec_fmp4_lines(&s, lines, sizeof(lines));
        printf("\n[%s]\n%s%s", s.name, s.fields, lines);
    }
    fclose(f);
    return check_failures ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "--print-fmp4")) return vec_print_fmp4(argv[2]);
    const char *dir = argc > 1 ? argv[1] : "../test/vectors";
    test_messages_decode_and_re_encode_byte_for_byte(dir);
    test_damaged_streams_give_the_stated_frames(dir);
    test_lines_give_the_stated_frames(dir);
    test_fmp4_vectors_are_muxed_byte_for_byte(dir);
    return check_report("test_vectors");
}
