/* The simulated sensor's cadence (backends/sim/sim_sensor_grid.h), tried from every start across a
 * second, at several rates, on time and with slow encodes: a stream's pictures are never closer
 * than a period (two in one 1/fps slot broke ffmpeg's muxer), its first comes within a period of
 * its start, and every whole second after its start has its frame, on the grid, exactly. */
#include <stdbool.h>
#include <stdint.h>

#include "../backends/sim/sim_sensor_grid.h"
#include "check.h"

#define SPAN_US 2500000 /* each stream runs 2.5 s */

static uint32_t lcg = 12345;
static int64_t encode_us(int fps, bool slow) {
    if (!slow) return 0;
    lcg = lcg * 1664525u + 1013904223u;
    return (int64_t)(lcg >> 8) % (3 * 1000000 / fps); /* up to three periods */
}

/* One stream started at first_us; CHECKs what a recording of it would show. */
static void try_start(int64_t first_us, int fps, bool slow) {
    bool at_once;
    int64_t slot = sim_grid_first_slot(first_us, fps, &at_once);
    int64_t previous = -1, first_capture = -1;
    int64_t next_second = (first_us + 999999) / 1000000; /* the first whole second not before the start */
    int seconds_seen = 0, seconds_due = 0;
    for (int64_t s = next_second; s * 1000000 <= first_us + SPAN_US; s++) seconds_due++;
    bool off_grid = at_once;
    for (;;) {
        int64_t capture = off_grid ? first_us : sim_grid_slot_us(slot, fps);
        if (capture > first_us + SPAN_US) break;
        if (first_capture < 0) first_capture = capture;
        if (previous >= 0 && (capture - previous) * fps < 1000000 - fps) {
            CHECK(!"two pictures closer than a period");
            return;
        }
        if (!off_grid && slot % fps == 0) {
            if (capture != next_second * 1000000) {
                CHECK(!"a whole second's frame off its second, or one skipped");
                return;
            }
            seconds_seen++, next_second++;
        }
        previous = capture;
        int64_t now = capture + encode_us(fps, slow);
        if (off_grid) off_grid = false;
        else slot = sim_grid_next_slot(slot, now, fps);
    }
    CHECK(first_capture >= first_us && (first_capture - first_us) * fps < 1000000);
    CHECK_EQ_INT(seconds_seen, seconds_due);
}

int main(void) {
    static const int rates[] = {15, 25, 30, 60};
    for (unsigned r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        int fps = rates[r];
        for (int64_t offset = 0; offset < 1000000; offset += 250) {
            int64_t first_us = 7000000 + offset; /* second 7 of the board clock, and on */
            try_start(first_us, fps, false);
            try_start(first_us, fps, true);
        }
        /* The start that lost a white frame (4cc161a): less than a period before second 8. */
        bool at_once;
        CHECK_EQ_INT(sim_grid_first_slot(8000000 - 1000000 / fps / 2, fps, &at_once), 8 * fps);
        CHECK(!at_once);
        CHECK_EQ_INT(sim_grid_first_slot(8000000, fps, &at_once), 8 * fps); /* at the second itself: on it */
        CHECK(!at_once);
        /* Elsewhere the first picture is at once. */
        CHECK_EQ_INT(sim_grid_first_slot(8000000 + 1000000 / fps / 2, fps, &at_once), 8 * fps + 2);
        CHECK(at_once);
    }
    return check_report("test_sensor_grid");
}
