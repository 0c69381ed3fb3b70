/* The simulated microphone: silence, and a 1 kHz tone burst 100 ms long at -6 dBFS from each whole
 * second of the board clock, when the simulated camera whitens its corner block (sim_camera.c): so
 * the sync of any recording can be measured with ffmpeg alone (docs/audio.md). Chunks come on the
 * board clock's 20 ms grid, each once its last sample is due, stamped with its first sample's time;
 * G.711 is done in software here, where the K230 has aenc in hardware. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/audio.h"
#include "../../src/clock.h"
#include "sim_marks.h"

#define SIM_AUDIO_TONE_HZ 1000
#define SIM_AUDIO_TONE_AMPLITUDE 16384 /* half of full scale: -6 dBFS */
#define SIM_AUDIO_TAU 6.283185307179586
#define SIM_AUDIO_FRAMES 5 /* chunks the input holds for a reader that is late */

struct audio_s {
    struct audio_settings_s settings;
    audio_on_chunk_fn on_chunk;
    void *ctx;
    pthread_t thread;
    atomic_bool stop;
};

/* The microphone's sample at board time t (us): the tone within its burst, else silence. */
static int16_t sim_audio_sample(int64_t t_us) {
    int64_t into_second = t_us % 1000000;
    if (into_second >= SIM_MARK_TONE_US) return 0;
    double phase = SIM_AUDIO_TAU * (double)(into_second % (1000000 / SIM_AUDIO_TONE_HZ)) * SIM_AUDIO_TONE_HZ / 1e6;
    return (int16_t)lrint(SIM_AUDIO_TONE_AMPLITUDE * sin(phase));
}

static void *sim_audio_run(void *arg) {
    struct audio_s *a = arg;
    int rate = a->settings.rate;
    size_t samples = audio_chunk_samples(rate);
    uint8_t chunk[AUDIO_MAX_CHUNK_SAMPLES];
    int64_t at = (clock_now_us() / AUDIO_CHUNK_US + 1) * AUDIO_CHUNK_US; /* the next chunk on the grid */
    while (!atomic_load(&a->stop)) {
        clock_sleep_until_us(at + AUDIO_CHUNK_US); /* its last sample has been captured */
        for (size_t i = 0; i < samples; i++) {
            int16_t pcm = sim_audio_sample(at + (int64_t)i * 1000000 / rate);
            chunk[i] = a->settings.codec == AUDIO_CODEC_G711A ? audio_g711a_encode(pcm) : audio_g711u_encode(pcm);
        }
        a->on_chunk(a->ctx, &(struct audio_chunk_s){.pts_us = at, .data = chunk, .samples = samples});
        at += AUDIO_CHUNK_US;
        /* Later than the input holds (a stalled process): those samples are gone, as on a real input,
         * whose frames wait in a ring of SIM_AUDIO_FRAMES (CanMV's ai keeps 5). */
        int64_t oldest = clock_now_us() / AUDIO_CHUNK_US * AUDIO_CHUNK_US - SIM_AUDIO_FRAMES * AUDIO_CHUNK_US;
        if (oldest > at) at = oldest;
    }
    return NULL;
}

static struct audio_s *sim_audio_open(const struct audio_settings_s *s, audio_on_chunk_fn on_chunk, void *ctx,
                                      char *err, size_t err_len) {
    struct audio_s *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    a->settings = *s;
    a->on_chunk = on_chunk;
    a->ctx = ctx;
    int rc = pthread_create(&a->thread, NULL, sim_audio_run, a);
    if (rc) {
        snprintf(err, err_len, "cannot start the microphone thread: %s", strerror(rc));
        free(a);
        return NULL;
    }
    return a;
}

static void sim_audio_close(struct audio_s *a) {
    atomic_store(&a->stop, true);
    pthread_join(a->thread, NULL);
    free(a);
}

const struct audio_backend_s audio_backend_sim = {
    .name = "sim",
    .codecs = (1u << AUDIO_CODEC_G711A) | (1u << AUDIO_CODEC_G711U),
    .open = sim_audio_open,
    .close = sim_audio_close,
};
