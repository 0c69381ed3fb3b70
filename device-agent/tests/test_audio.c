/* G.711 in software (src/audio.c): the expansion of every code equals ffmpeg's (test/vectors/g711.vec),
 * and every 16-bit sample encodes to the code whose expansion is nearest it within its segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "check.h"

static int read_law(const char *dir, const char *law, int16_t out[256]) {
    char path[512];
    snprintf(path, sizeof(path), "%s/g711.vec", dir);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[8192];
    int found = -1;
    size_t key = strlen(law);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, law, key) || strncmp(line + key, " = ", 3)) continue;
        char *at = line + key + 3;
        for (int i = 0; i < 256; i++) out[i] = (int16_t)strtol(at, &at, 10);
        found = 0;
    }
    fclose(f);
    return found;
}

static void test_law(const char *dir, const char *law, int16_t (*decode)(uint8_t), uint8_t (*encode)(int16_t)) {
    int16_t want[256];
    CHECK(read_law(dir, law, want) == 0);
    for (int c = 0; c < 256; c++) CHECK_EQ_INT(decode((uint8_t)c), want[c]);
    /* Each sample comes back within its step: G.711's steps grow with the magnitude, 1/16 of it at most
     * (plus the finest step, and what mu-law clips above 32635). */
    int outside = 0;
    for (int v = -32768; v <= 32767; v++) {
        int back = decode(encode((int16_t)v));
        int mag = v < 0 ? -v : v;
        if (abs(back - v) > mag / 16 + 16 && mag <= 32635) outside++;
    }
    CHECK_EQ_INT(outside, 0);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../test/vectors";
    test_law(dir, "alaw", audio_g711a_decode, audio_g711a_encode);
    test_law(dir, "ulaw", audio_g711u_decode, audio_g711u_encode);
    struct audio_settings_s bad_rate = {AUDIO_CODEC_G711U, 44100}, off = {AUDIO_CODEC_OFF, 0}, ok = {AUDIO_CODEC_G711A, 16000};
    char err[128];
    CHECK(audio_settings_check(&bad_rate, err, sizeof(err)) < 0);
    CHECK(strstr(err, "8000 or 16000") != NULL);
    CHECK(audio_settings_check(&off, err, sizeof(err)) == 0);
    CHECK(audio_settings_check(&ok, err, sizeof(err)) == 0);
    CHECK_EQ_INT((int)audio_chunk_samples(8000), 160);
    CHECK_EQ_INT((int)audio_chunk_samples(16000), 320);
    return check_report("test_audio");
}
