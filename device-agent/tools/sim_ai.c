/* k230-sim-ai: the audio input (ai) and G.711 encoder (aenc) of a simulated stock CanMV board, over
 * the simulator's microphone (backends/sim/sim_audio.c: silence, and a 1 kHz tone burst at each whole
 * second of CLOCK_MONOTONIC, when the simulated camera of k230-sim-venc whitens its corner block).
 * Each frame on stdout is what media.pyaudio's read() hands a script, 16-bit mono PCM, with the
 * G.711 that aenc would make of it, coded here so that the VM spends nothing on each sample:
 * u32 samples, u32 sequence, u64 stamp (microseconds, CLOCK_MONOTONIC, the clock k230-sim-venc
 * stamps its packs with: the end of the frame's last sample, as the K230's ai stamps a frame when
 * its DMA ends, docs/hardware.md), all little-endian; then the samples as s16le PCM, as mu-law (one
 * byte each) and as A-law. The microphone gives mu-law, so the PCM is as fine as
 * mu-law keeps it. A frame is `--samples` long (pyaudio's frames_per_buffer), made of the
 * microphone's 20 ms chunks; a chunk the microphone lost loses the frame it fell in, as on a board.
 * End of stdin stops it. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/audio.h"
#include "../src/bytes.h"

#define AI_MAX_SAMPLES 16000 /* one second at the highest rate */

static int ai_rate = 8000;
static size_t ai_samples; /* per frame */
static int16_t ai_pcm[AI_MAX_SAMPLES];
static uint8_t ai_ulaw[AI_MAX_SAMPLES];
static size_t ai_have;   /* samples of the frame under way */
static int64_t ai_pts;   /* its first sample's */
static uint32_t ai_sequence;
static uint8_t ai_out[16 + 4 * AI_MAX_SAMPLES];
static atomic_bool output_gone;

static void ai_write_frame(void) {
    struct bytes_writer_s w;
    bytes_writer_init(&w, ai_out, sizeof(ai_out));
    bytes_put_u32le(&w, (uint32_t)ai_samples);
    bytes_put_u32le(&w, ai_sequence++);
    bytes_put_u64le(&w, (uint64_t)(ai_pts + (int64_t)ai_samples * 1000000 / ai_rate));
    for (size_t i = 0; i < ai_samples; i++) bytes_put_u16le(&w, (uint16_t)ai_pcm[i]);
    bytes_put(&w, ai_ulaw, ai_samples);
    for (size_t i = 0; i < ai_samples; i++) bytes_put_u8(&w, audio_g711a_encode(ai_pcm[i]));
    if (fwrite(ai_out, 1, w.len, stdout) != w.len || fflush(stdout) != 0) atomic_store(&output_gone, true);
}

/* On the microphone's thread: its chunks, cut into frames of ai_samples. */
static void ai_on_chunk(void *ctx, const struct audio_chunk_s *c) {
    (void)ctx;
    int64_t expected = ai_pts + (int64_t)ai_have * 1000000 / ai_rate;
    if (ai_have && llabs(c->pts_us - expected) > 1000000 / ai_rate) ai_have = 0; /* a lost chunk */
    for (size_t i = 0; i < c->samples; i++) {
        if (!ai_have) ai_pts = c->pts_us + (int64_t)i * 1000000 / ai_rate;
        ai_ulaw[ai_have] = c->data[i];
        ai_pcm[ai_have++] = audio_g711u_decode(c->data[i]);
        if (ai_have == ai_samples) {
            ai_write_frame();
            ai_have = 0;
        }
    }
}

int main(int argc, char **argv) {
    long samples = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rate")) ai_rate = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--samples")) samples = atol(argv[i + 1]);
        else {
            fprintf(stderr, "usage: k230-sim-ai [--rate 8000|16000] [--samples N]\n");
            return 2;
        }
    }
    struct audio_settings_s s = {AUDIO_CODEC_G711U, ai_rate};
    char err[256];
    if (audio_settings_check(&s, err, sizeof(err)) < 0) {
        fprintf(stderr, "k230-sim-ai: %s\n", err);
        return 1;
    }
    ai_samples = samples ? (size_t)samples : audio_chunk_samples(ai_rate);
    if (samples < 0 || ai_samples > AI_MAX_SAMPLES || ai_samples > (size_t)ai_rate) {
        fprintf(stderr, "k230-sim-ai: a frame of %ld samples: give 1 to %d\n", samples, ai_rate);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct audio_s *mic = audio_backend_sim.open(&s, ai_on_chunk, NULL, err, sizeof(err));
    if (!mic) {
        fprintf(stderr, "k230-sim-ai: %s\n", err);
        return 1;
    }
    char c;
    ssize_t n;
    while (!atomic_load(&output_gone) && ((n = read(STDIN_FILENO, &c, 1)) > 0 || (n < 0 && errno == EINTR))) {
    }
    audio_backend_sim.close(mic);
    return 0;
}
