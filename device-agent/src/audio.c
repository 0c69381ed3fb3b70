#include "audio.h"

#include <stdio.h>

int audio_settings_check(const struct audio_settings_s *s, char *err, size_t err_len) {
    if (s->codec == AUDIO_CODEC_OFF) return 0;
    if (s->codec != AUDIO_CODEC_G711A && s->codec != AUDIO_CODEC_G711U) {
        snprintf(err, err_len, "unknown audio codec %d", (int)s->codec);
        return -1;
    }
    if (s->rate != 8000 && s->rate != 16000) {
        snprintf(err, err_len, "audio rate %d Hz: give 8000 or 16000", s->rate);
        return -1;
    }
    return 0;
}

/* G.711 works on the magnitude in eight segments (chords), each twice as wide as the one before,
 * with 16 steps in each. A-law: 13-bit magnitude, segment 0 as fine as segment 1, even bits
 * inverted (XOR 0x55). mu-law: 14-bit magnitude plus a bias of 33 (132 here, scaled to 16 bits),
 * every bit inverted. */
static int audio_top_bit(unsigned v) {
    int bit = -1;
    while (v) {
        bit++;
        v >>= 1;
    }
    return bit;
}

uint8_t audio_g711a_encode(int16_t pcm) {
    unsigned sign = pcm >= 0 ? 0x80u : 0u;
    unsigned mag = (unsigned)(pcm >= 0 ? pcm : ~pcm) >> 3; /* 0..4095 */
    unsigned seg = mag < 32 ? 0u : (unsigned)audio_top_bit(mag) - 4;
    unsigned mant = (mag >> (seg ? seg : 1)) & 0x0F;
    return (uint8_t)((sign | (seg << 4) | mant) ^ 0x55);
}

int16_t audio_g711a_decode(uint8_t code) {
    code ^= 0x55;
    unsigned seg = (code >> 4) & 7, mant = code & 0x0F;
    int t = (int)(mant << 4) + 8;
    if (seg) t = (t + 256) << (seg - 1);
    return (int16_t)(code & 0x80 ? t : -t);
}

#define AUDIO_ULAW_BIAS 132
#define AUDIO_ULAW_CLIP 32635

uint8_t audio_g711u_encode(int16_t pcm) {
    unsigned sign = pcm < 0 ? 0x80u : 0u;
    int mag = pcm < 0 ? -(int)pcm : pcm;
    if (mag > AUDIO_ULAW_CLIP) mag = AUDIO_ULAW_CLIP;
    mag += AUDIO_ULAW_BIAS; /* 132..32767: its top bit is 7..14 */
    unsigned seg = (unsigned)audio_top_bit((unsigned)mag) - 7;
    unsigned mant = ((unsigned)mag >> (seg + 3)) & 0x0F;
    return (uint8_t)~(sign | (seg << 4) | mant);
}

int16_t audio_g711u_decode(uint8_t code) {
    code = (uint8_t)~code;
    unsigned seg = (code >> 4) & 7, mant = code & 0x0F;
    int t = ((int)(mant << 3) + AUDIO_ULAW_BIAS) << seg;
    t -= AUDIO_ULAW_BIAS;
    return (int16_t)(code & 0x80 ? -t : t);
}
