/* A camera backend for the fuzzers: it advertises what a board offers and opens nothing, so a
 * STREAM_START or BOARD_RECORD_START goes through every check and then fails cleanly. */
#ifndef K230_FUZZ_CAMERA_H
#define K230_FUZZ_CAMERA_H
#include "camera.h"

extern const struct camera_backend_s camera_backend_fuzz;

#endif
