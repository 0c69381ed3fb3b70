/* Host-to-agent frames in their text-safe form (docs/protocol.md, "The text-safe link"): each frame
 * as one line of base64. A stock CanMV board's port needs it; this agent takes it too, beside the
 * binary form, so that a host can find either agent with text alone. The link's bytes go to both
 * decoders: a binary frame never makes a valid line (its header holds zero bytes), and a line never
 * makes a valid binary frame (the CRCs fail). */
#ifndef K230_TEXT_FRAMES_H
#define K230_TEXT_FRAMES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct text_frames_s {
    char *line;       /* the line so far */
    size_t len, cap;  /* cap: the longest line a frame of max_payload makes */
    bool overlong;    /* this line outgrew cap: it is dropped at its end */
    uint8_t *decoded; /* one line's bytes */
    struct wire_decoder_s frames;
};

int text_frames_init(struct text_frames_s *t, uint32_t max_payload);
void text_frames_destroy(struct text_frames_s *t);
/* Takes the link's bytes; the frames of the lines they complete are then in t->frames. */
void text_frames_push(struct text_frames_s *t, const uint8_t *data, size_t n);
/* Forgets a half-received line (the host went away). */
void text_frames_reset(struct text_frames_s *t);

/* Standard base64 (RFC 4648, with padding) into out, which holds len / 4 * 3 bytes; the decoded
 * size, or -1 when the text is not base64. */
long text_frames_base64_decode(const char *text, size_t len, uint8_t *out);

#endif
