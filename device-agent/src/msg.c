/* Encode, decode and dump, each made from the description in msg_layouts.h: per kind of field one
 * put, one get and one value printer below; per layout one function of each, stamped out by the
 * X-macros; per message type one case, likewise. */
#include "msg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- encode: msg_put_<KIND>(w, &field) */

static void msg_put_U8(struct bytes_writer_s *w, const uint8_t *v) { bytes_put_u8(w, *v); }
static void msg_put_U16(struct bytes_writer_s *w, const uint16_t *v) { bytes_put_u16le(w, *v); }
static void msg_put_U32(struct bytes_writer_s *w, const uint32_t *v) { bytes_put_u32le(w, *v); }
static void msg_put_U64(struct bytes_writer_s *w, const uint64_t *v) { bytes_put_u64le(w, *v); }
#define msg_put_FLAG msg_put_U8
#define msg_put_CODEC msg_put_U8
#define msg_put_PROFILE msg_put_U8
#define msg_put_FILE_TYPE msg_put_U8
#define msg_put_AUDIO_CODEC msg_put_U8
#define msg_put_SOURCE msg_put_U8

/* Text fields are arrays: their puts and gets take a pointer to the whole array, so the compiler
 * checks each field's kind against its size. Longer text is cut at the kind's limit. */
static void msg_put_STRING(struct bytes_writer_s *w, const msg_string_t *s) {
    size_t n = strnlen(*s, MSG_STRING_MAX);
    bytes_put_u8(w, (uint8_t)n);
    bytes_put(w, *s, n);
}

static void msg_put_PATH(struct bytes_writer_s *w, const msg_path_t *s) {
    size_t n = strnlen(*s, MSG_PATH_MAX);
    bytes_put_u16le(w, (uint16_t)n);
    bytes_put(w, *s, n);
}

static void msg_put_SHA256(struct bytes_writer_s *w, const msg_sha256_t *v) { bytes_put(w, *v, 32); }
static void msg_put_REST(struct bytes_writer_s *w, const struct msg_bytes_s *v) { bytes_put(w, v->bytes, v->size); }

#define MSG_ENCODE_FIELD(KIND, name) msg_put_##KIND(w, &p->name);

static void msg_put_SETTINGS(struct bytes_writer_s *w, const struct msg_stream_settings_s *p) {
    MSG_SETTINGS_FIELDS(MSG_ENCODE_FIELD)
}

static void msg_put_ENTRIES(struct bytes_writer_s *w, const struct msg_entries_s *v) {
    bytes_put_u16le(w, v->count);
    bytes_put(w, v->bytes, v->size);
}

int msg_put_entry(struct bytes_writer_s *w, const struct msg_entry_s *p) {
    size_t before = w->len;
    MSG_ENTRY_FIELDS(MSG_ENCODE_FIELD)
    if (!w->overflow) return 0;
    w->len = before;
    w->overflow = false;
    return -1;
}

#define MSG_ENCODE_LAYOUT(layout, fields)                                                        \
    static void msg_encode_##layout(struct bytes_writer_s *w, const union msg_payload_u *u) { \
        const struct msg_##layout##_s *p = &u->layout;                                          \
        fields                                                                                  \
    }
MSG_LAYOUTS(MSG_ENCODE_LAYOUT, MSG_ENCODE_FIELD)

/* ---- decode: msg_get_<KIND>(r, &field); a reader that ran short or met a bad value is marked bad */

struct msg_reader_s {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static const uint8_t *msg_take(struct msg_reader_s *r, size_t n) {
    if (r->bad || n > r->left) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    r->left -= n;
    return at;
}

static void msg_get_U8(struct msg_reader_s *r, uint8_t *v) {
    const uint8_t *p = msg_take(r, 1);
    *v = p ? p[0] : 0;
}
static void msg_get_U16(struct msg_reader_s *r, uint16_t *v) {
    const uint8_t *p = msg_take(r, 2);
    *v = p ? bytes_get_u16le(p) : 0;
}
static void msg_get_U32(struct msg_reader_s *r, uint32_t *v) {
    const uint8_t *p = msg_take(r, 4);
    *v = p ? bytes_get_u32le(p) : 0;
}
static void msg_get_U64(struct msg_reader_s *r, uint64_t *v) {
    const uint8_t *p = msg_take(r, 8);
    *v = p ? bytes_get_u64le(p) : 0;
}
#define msg_get_FLAG msg_get_U8
#define msg_get_CODEC msg_get_U8
#define msg_get_PROFILE msg_get_U8
#define msg_get_FILE_TYPE msg_get_U8
#define msg_get_AUDIO_CODEC msg_get_U8
#define msg_get_SOURCE msg_get_U8

/* n bytes of text into out (room for n + 1); a NUL inside would cut the copy short, so it is refused. */
static void msg_get_text(struct msg_reader_s *r, size_t n, char *out) {
    const uint8_t *p = msg_take(r, n);
    if (!p) n = 0;
    memcpy(out, p ? (const char *)p : "", n);
    out[n] = '\0';
    if (memchr(out, '\0', n)) r->bad = true;
}

static void msg_get_STRING(struct msg_reader_s *r, msg_string_t *out) {
    uint8_t n;
    msg_get_U8(r, &n);
    msg_get_text(r, n, *out);
}

static void msg_get_PATH(struct msg_reader_s *r, msg_path_t *out) {
    uint16_t n;
    msg_get_U16(r, &n);
    if (n > MSG_PATH_MAX) r->bad = true;
    msg_get_text(r, r->bad ? 0 : n, *out);
}

static void msg_get_SHA256(struct msg_reader_s *r, msg_sha256_t *v) {
    const uint8_t *p = msg_take(r, 32);
    if (p) memcpy(*v, p, 32);
}

static void msg_get_REST(struct msg_reader_s *r, struct msg_bytes_s *v) {
    v->bytes = r->p;
    v->size = r->left;
    msg_take(r, r->left);
}

#define MSG_DECODE_FIELD(KIND, name) msg_get_##KIND(r, &p->name);

static void msg_get_SETTINGS(struct msg_reader_s *r, struct msg_stream_settings_s *p) {
    MSG_SETTINGS_FIELDS(MSG_DECODE_FIELD)
}

static void msg_get_entry(struct msg_reader_s *r, struct msg_entry_s *p) {
    MSG_ENTRY_FIELDS(MSG_DECODE_FIELD)
}

/* Checks that each entry is whole, and keeps them where they lie. */
static void msg_get_ENTRIES(struct msg_reader_s *r, struct msg_entries_s *v) {
    msg_get_U16(r, &v->count);
    v->bytes = r->p;
    struct msg_entry_s e;
    for (uint16_t i = 0; i < v->count && !r->bad; i++) msg_get_entry(r, &e);
    v->size = (size_t)(r->p - v->bytes);
}

void msg_next_entry(const struct msg_entries_s *entries, size_t *at, struct msg_entry_s *e) {
    struct msg_reader_s r = {entries->bytes + *at, entries->size - *at, false};
    msg_get_entry(&r, e);
    *at = entries->size - r.left;
}

#define MSG_DECODE_LAYOUT(layout, fields)                                                  \
    static void msg_decode_##layout(struct msg_reader_s *r, union msg_payload_u *u) { \
        struct msg_##layout##_s *p = &u->layout;                                          \
        fields                                                                            \
    }
MSG_LAYOUTS(MSG_DECODE_LAYOUT, MSG_DECODE_FIELD)

/* ---- dump: msg_value_<KIND>(t, &field) prints the value; a field's line is "key = value" */

struct msg_text_s {
    char *out;
    size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void msg_print(struct msg_text_s *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->cap ? t->cap - t->len : 0;
    /* Past the end (or measuring with NULL, 0) no pointer into out is formed at all. */
    int n = vsnprintf(room ? t->out + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

static void msg_hex(struct msg_text_s *t, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) msg_print(t, "%02x", p[i]);
}

static void msg_value_U8(struct msg_text_s *t, const uint8_t *v) { msg_print(t, "%u", *v); }
static void msg_value_U16(struct msg_text_s *t, const uint16_t *v) { msg_print(t, "%u", *v); }
static void msg_value_U32(struct msg_text_s *t, const uint32_t *v) { msg_print(t, "%" PRIu32, *v); }
static void msg_value_U64(struct msg_text_s *t, const uint64_t *v) { msg_print(t, "%" PRIu64, *v); }
#define msg_value_FLAG msg_value_U8
#define msg_value_CODEC msg_value_U8
#define msg_value_PROFILE msg_value_U8
#define msg_value_FILE_TYPE msg_value_U8
#define msg_value_AUDIO_CODEC msg_value_U8
#define msg_value_SOURCE msg_value_U8
static void msg_value_STRING(struct msg_text_s *t, const msg_string_t *v) { msg_print(t, "%s", *v); }
static void msg_value_PATH(struct msg_text_s *t, const msg_path_t *v) { msg_print(t, "%s", *v); }
static void msg_value_SHA256(struct msg_text_s *t, const msg_sha256_t *v) { msg_hex(t, *v, 32); }
static void msg_value_REST(struct msg_text_s *t, const struct msg_bytes_s *v) { msg_hex(t, v->bytes, v->size); }

/* A composite kind's dump is its fields' lines: msg_lines_<KIND>. A plain kind's is one line. */
#define MSG_DUMP_FIELD(KIND, name) msg_lines_##KIND(t, #name, &p->name);
#define MSG_PLAIN_LINES(KIND, type)                                                   \
    static void msg_lines_##KIND(struct msg_text_s *t, const char *key, type v) { \
        msg_print(t, "%s = ", key);                                                   \
        msg_value_##KIND(t, v);                                                       \
        msg_print(t, "\n");                                                           \
    }
MSG_PLAIN_LINES(U8, const uint8_t *)
MSG_PLAIN_LINES(U16, const uint16_t *)
MSG_PLAIN_LINES(U32, const uint32_t *)
MSG_PLAIN_LINES(U64, const uint64_t *)
MSG_PLAIN_LINES(STRING, const msg_string_t *)
MSG_PLAIN_LINES(PATH, const msg_path_t *)
MSG_PLAIN_LINES(SHA256, const msg_sha256_t *)
MSG_PLAIN_LINES(REST, const struct msg_bytes_s *)
#define msg_lines_FLAG msg_lines_U8
#define msg_lines_CODEC msg_lines_U8
#define msg_lines_PROFILE msg_lines_U8
#define msg_lines_FILE_TYPE msg_lines_U8
#define msg_lines_AUDIO_CODEC msg_lines_U8
#define msg_lines_SOURCE msg_lines_U8

static void msg_lines_SETTINGS(struct msg_text_s *t, const char *key, const struct msg_stream_settings_s *p) {
    (void)key; /* its fields stand on lines of their own */
    MSG_SETTINGS_FIELDS(MSG_DUMP_FIELD)
}

/* "count = N", then one "entry = " line per entry with its values in wire order. */
#define MSG_ENTRY_VALUE(KIND, name) msg_print(t, " "), msg_value_##KIND(t, &e.name);
static void msg_lines_ENTRIES(struct msg_text_s *t, const char *key, const struct msg_entries_s *v) {
    (void)key;
    msg_print(t, "count = %u\n", v->count);
    size_t at = 0;
    for (uint16_t i = 0; i < v->count; i++) {
        struct msg_entry_s e;
        msg_next_entry(v, &at, &e);
        msg_print(t, "entry =");
        MSG_ENTRY_FIELDS(MSG_ENTRY_VALUE)
        msg_print(t, "\n");
    }
}

#define MSG_DUMP_LAYOUT(layout, fields)                                                         \
    static void msg_dump_##layout(struct msg_text_s *t, const union msg_payload_u *u) {    \
        const struct msg_##layout##_s *p = &u->layout;                                         \
        fields                                                                                 \
    }
MSG_LAYOUTS(MSG_DUMP_LAYOUT, MSG_DUMP_FIELD)

/* ---- the empty layout, and the walk from a message type to its layout */

static void msg_encode_none(struct bytes_writer_s *w, const union msg_payload_u *u) { (void)w, (void)u; }
static void msg_decode_none(struct msg_reader_s *r, union msg_payload_u *u) { (void)r, (void)u; }
static void msg_dump_none(struct msg_text_s *t, const union msg_payload_u *u) { (void)t, (void)u; }

int msg_decode(uint8_t type, uint32_t id, const uint8_t *payload, size_t len, struct msg_s *out) {
    struct msg_reader_s r = {payload, len, false};
    memset(out, 0, sizeof(*out));
    out->type = type;
    out->id = id;
#define MSG_DECODE_CASE(NAME, code, ROLE, layout) \
    case MSG_##NAME: msg_decode_##layout(&r, &out->u); break;
    switch (type) {
        MSG_TYPES(MSG_DECODE_CASE)
    default: return -1;
    }
#undef MSG_DECODE_CASE
    /* Trailing bytes are refused too: a request that does not parse exactly is not trusted. */
    return (r.bad || r.left) ? -1 : 0;
}

long msg_encode_payload(const struct msg_s *m, uint8_t *out, size_t cap) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, out, cap);
#define MSG_ENCODE_CASE(NAME, code, ROLE, layout) \
    case MSG_##NAME: msg_encode_##layout(&w, &m->u); break;
    switch (m->type) {
        MSG_TYPES(MSG_ENCODE_CASE)
    default: return -1;
    }
#undef MSG_ENCODE_CASE
    return w.overflow ? -1 : (long)w.len;
}

size_t msg_dump(const struct msg_s *m, char *out, size_t cap) {
    struct msg_text_s t = {out, cap, 0};
    if (cap) out[0] = '\0';
    msg_print(&t, "type = %s\nid = %" PRIu32 "\n", msg_type_name(m->type), m->id);
#define MSG_DUMP_CASE(NAME, code, ROLE, layout) \
    case MSG_##NAME: msg_dump_##layout(&t, &m->u); break;
    switch (m->type) {
        MSG_TYPES(MSG_DUMP_CASE)
    default: break;
    }
#undef MSG_DUMP_CASE
    return t.len;
}

const char *msg_type_name(uint8_t type) {
#define MSG_NAME_CASE(NAME, code, ROLE, layout) \
    case MSG_##NAME: return #NAME;
    switch (type) {
        MSG_TYPES(MSG_NAME_CASE)
    default: return "UNKNOWN";
    }
#undef MSG_NAME_CASE
}

enum msg_role_e msg_role(uint8_t type) {
#define MSG_ROLE_CASE(NAME, code, ROLE, layout) \
    case MSG_##NAME: return MSG_ROLE_##ROLE;
    switch (type) {
        MSG_TYPES(MSG_ROLE_CASE)
    default: return MSG_ROLE_UNKNOWN;
    }
#undef MSG_ROLE_CASE
}
