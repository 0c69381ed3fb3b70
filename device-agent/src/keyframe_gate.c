#include "keyframe_gate.h"

void keyframe_gate_init(struct keyframe_gate_s *g) { g->waiting = false; }

void keyframe_gate_close(struct keyframe_gate_s *g) { g->waiting = true; }

bool keyframe_gate_pass(struct keyframe_gate_s *g, bool keyframe) {
    if (keyframe) g->waiting = false;
    return !g->waiting;
}
