/* The simulated sensor's cadence: frame n of the grid is exposed at n/fps s of the board clock, so
 * frame k*fps at second k exactly (sim_marks.h marks it). Pure arithmetic, apart from the camera
 * thread that follows it, so that tests/test_sensor_grid.c can try every start and every lateness. */
#ifndef K230_SIM_SENSOR_GRID_H
#define K230_SIM_SENSOR_GRID_H

#include <stdbool.h>
#include <stdint.h>

/* The capture time of grid frame n: no rounding carried over from one frame to the next. */
static inline int64_t sim_grid_slot_us(int64_t n, int fps) { return n * 1000000 / fps; }

/* Where a stream started at first_us begins. Its first exposure is at once (*at_once), as a
 * sensor's first frame once started, and the grid takes over from the first slot a whole period
 * or more after it, so that a stream never has more frames than its rate gives; waiting for the
 * grid instead cost the time to first frame up to a period. But never at the cost of a whole
 * second's frame, whose mark the microphone's tone goes with: when one falls before that slot, the
 * stream starts on the grid there (a wait of less than a period, in one start of fps). */
static inline int64_t sim_grid_first_slot(int64_t first_us, int fps, bool *at_once) {
    int64_t slot = ((first_us + 1000000 / fps) * fps + 999999) / 1000000;
    int64_t second_slot = (first_us + 999999) / 1000000 * fps;
    *at_once = second_slot >= slot;
    return *at_once ? slot : second_slot;
}

/* The slot after `slot`, its frame taken, when the clock reads now_us. Late by whole periods (a
 * slow encode), those sensor frames are gone, as on a real camera; but never a whole second's. */
static inline int64_t sim_grid_next_slot(int64_t slot, int64_t now_us, int fps) {
    int64_t next = slot + 1;
    int64_t late_slot = now_us * fps / 1000000;
    int64_t next_second_slot = (next + fps - 1) / fps * fps;
    if (late_slot > next_second_slot) late_slot = next_second_slot;
    return late_slot > next ? late_slot : next;
}

#endif
