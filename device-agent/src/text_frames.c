#include "text_frames.h"

#include <stdlib.h>

static int text_frames_sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long text_frames_base64_decode(const char *text, size_t len, uint8_t *out) {
    if (len % 4) return -1;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int pad = (text[i + 3] == '=') + (text[i + 2] == '=' && text[i + 3] == '=');
        if (pad && i + 4 != len) return -1; /* padding ends the text */
        int v[4];
        for (int k = 0; k < 4 - pad; k++)
            if ((v[k] = text_frames_sextet(text[i + k])) < 0) return -1;
        uint32_t bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (pad < 2 ? (uint32_t)v[2] << 6 : 0) |
                        (pad < 1 ? (uint32_t)v[3] : 0);
        out[n++] = (uint8_t)(bits >> 16);
        if (pad < 2) out[n++] = (uint8_t)(bits >> 8);
        if (pad < 1) out[n++] = (uint8_t)bits;
    }
    return (long)n;
}

int text_frames_init(struct text_frames_s *t, uint32_t max_payload) {
    size_t frame = WIRE_HEADER_SIZE + (size_t)max_payload + WIRE_TRAILER_SIZE;
    t->cap = (frame + 2) / 3 * 4;
    t->len = 0;
    t->overlong = false;
    t->line = malloc(t->cap);
    t->decoded = malloc(t->cap / 4 * 3);
    if (!t->line || !t->decoded || wire_decoder_init(&t->frames, max_payload) < 0) {
        free(t->line);
        free(t->decoded);
        return -1;
    }
    return 0;
}

void text_frames_destroy(struct text_frames_s *t) {
    free(t->line);
    free(t->decoded);
    wire_decoder_destroy(&t->frames);
}

void text_frames_reset(struct text_frames_s *t) {
    t->len = 0;
    t->overlong = false;
    t->frames.start = t->frames.end = 0;
}

static void text_frames_line_done(struct text_frames_s *t) {
    long n = t->overlong ? -1 : text_frames_base64_decode(t->line, t->len, t->decoded);
    if (n > 0) wire_decoder_push(&t->frames, t->decoded, (size_t)n); /* noise: not base64, ignored */
    t->len = 0;
    t->overlong = false;
}

void text_frames_push(struct text_frames_s *t, const uint8_t *data, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = (char)data[i];
        if (c == '\n') {
            text_frames_line_done(t);
        } else if (c == '\r') {
            continue; /* a CRLF line, or a REPL probe's CR: not the line's */
        } else if (c == '!' || (c != '=' && text_frames_sextet(c) < 0)) {
            /* No frame's line holds this byte (a REPL probe's Ctrl-B, binary noise, the '!' that
             * begins a command such as the MicroPython agent's "!bye"): the line starts again
             * there, so what came before (a cut line's tail) cannot spoil the next frame. */
            t->len = 0;
            if (c == '!') t->line[t->len++] = c;
            t->overlong = false;
        } else if (t->len < t->cap) {
            t->line[t->len++] = (char)data[i];
        } else {
            t->overlong = true;
        }
    }
}
