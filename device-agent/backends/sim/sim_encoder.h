/* A software encoder for the simulator: libx264 for H.264, libx265 for H.265. */
#ifndef K230_SIM_ENCODER_H
#define K230_SIM_ENCODER_H
#include <stdbool.h>
#include <stddef.h>

#include "../../src/camera.h"
#include "sim_pattern.h"

struct sim_encoder_s;

struct sim_encoder_ops_s {
    struct sim_encoder_s *(*open)(const struct camera_settings_s *s, char *err, size_t err_len);
    /* The picture the next frame is drawn into. */
    struct sim_picture_s *(*picture)(struct sim_encoder_s *e);
    /* Encodes the picture; fills au->nals (valid until the next call). 0, or -1 on failure. */
    int (*encode)(struct sim_encoder_s *e, bool force_idr, struct camera_au_s *au);
    int (*set_bitrate)(struct sim_encoder_s *e, int kbps);
    void (*close)(struct sim_encoder_s *e);
};

extern const struct sim_encoder_ops_s sim_encoder_x264;
extern const struct sim_encoder_ops_s sim_encoder_x265;

#endif
