/* The microphone backend interface: PCM from the board's audio input, encoded G.711 (on the K230:
 * ai, then aenc; the MPP's aenc does G.711 in software, see docs/hardware.md), in chunks stamped
 * from the same clock as the camera's frames.
 * Nothing above this header knows which backend runs. docs/audio.md. */
#ifndef K230_AUDIO_H
#define K230_AUDIO_H
#include <stddef.h>
#include <stdint.h>

enum audio_codec_e { AUDIO_CODEC_OFF = 0, AUDIO_CODEC_G711A = 1, AUDIO_CODEC_G711U = 2 };

/* Every chunk holds this long of sound: 160 samples at 8000 Hz, 320 at 16000 (G.711's 20 ms). */
#define AUDIO_CHUNK_US 20000
#define AUDIO_MAX_RATE 16000
#define AUDIO_MAX_CHUNK_SAMPLES (AUDIO_MAX_RATE / (1000000 / AUDIO_CHUNK_US))

struct audio_settings_s {
    enum audio_codec_e codec; /* AUDIO_CODEC_OFF: no sound */
    int rate;                 /* 8000 or 16000 Hz, mono */
};

/* One chunk of G.711: one byte per sample. */
struct audio_chunk_s {
    int64_t pts_us; /* capture time of the first sample, the camera's clock (CLOCK_MONOTONIC us) */
    const uint8_t *data;
    size_t samples;
};

/* Called on the backend's thread; the chunk is valid only during the call. Must not block. */
typedef void (*audio_on_chunk_fn)(void *ctx, const struct audio_chunk_s *chunk);

struct audio_s; /* one open input */

struct audio_backend_s {
    const char *name;
    unsigned codecs; /* bit (1 << codec) per supported audio_codec_e; 0: no microphone */
    struct audio_s *(*open)(const struct audio_settings_s *s, audio_on_chunk_fn on_chunk, void *ctx, char *err,
                            size_t err_len);
    void (*close)(struct audio_s *a);
};

extern const struct audio_backend_s audio_backend_sim;
extern const struct audio_backend_s audio_backend_k230;

/* Samples in one chunk at a rate. */
static inline size_t audio_chunk_samples(int rate) { return (size_t)rate * AUDIO_CHUNK_US / 1000000; }
/* Checks a request's sound settings (codec, rate); fills err and returns -1 when they are not ones
 * this protocol has. Whether the board has a microphone is the backend's codecs. */
int audio_settings_check(const struct audio_settings_s *s, char *err, size_t err_len);

/* G.711 (ITU-T G.711) of one 16-bit linear sample, for backends that encode in software. */
uint8_t audio_g711a_encode(int16_t pcm);
uint8_t audio_g711u_encode(int16_t pcm);
int16_t audio_g711a_decode(uint8_t code);
int16_t audio_g711u_decode(uint8_t code);

#endif
