/* Where a consumer that lost a picture waits for the next IDR: the pictures after a loss refer to
 * what was lost, so none goes on until a keyframe opens the gate again. */
#ifndef K230_KEYFRAME_GATE_H
#define K230_KEYFRAME_GATE_H
#include <stdbool.h>

struct keyframe_gate_s {
    bool waiting;
};

/* Open: every picture goes on. */
void keyframe_gate_init(struct keyframe_gate_s *g);
/* A picture was lost: the next ones wait for a keyframe. */
void keyframe_gate_close(struct keyframe_gate_s *g);
/* Whether this picture goes on; a keyframe opens the gate. */
bool keyframe_gate_pass(struct keyframe_gate_s *g, bool keyframe);

#endif
