/* The board's display as a picture source: the VO's write-back (WBC) of what it composes (its video
 * layer and OSD layers, whatever program shows them), one frame at a time, for an encoder channel of
 * its own fed by hand (kd_mpi_venc_send_frame): the MPP has no bind from the write-back to VENC.
 * One reader at a time. Names and fields are the MPP's (docs/display-source.md, "The C agent"). */
#ifndef K230_DISPLAY_H
#define K230_DISPLAY_H
#include <stddef.h>
#include <stdint.h>

#include "k230_media.h"
#include "k_video_comm.h"

/* 0 and 1 are the camera's (k230_media.h), 3 the CanMV IDE's JPEG. */
#define K230_DISPLAY_VENC_CHN 2

/* Turns the write-back on, asking for frames of width x height; -1 with err (it is read already, or
 * the VO refused: no display is set up). */
int k230_display_open(int width, int height, char *err, size_t err_len);
/* The newest composited frame, waiting at most wait_ms: 0, or -1 when none came. */
int k230_display_take(k_video_frame_info *frame, int wait_ms);
/* Gives a frame back to the write-back, once the encoder is done with it. */
void k230_display_give_back(const k_video_frame_info *frame);
/* A frame's time on CLOCK_MONOTONIC (microseconds): its pts by the camera's rule, or when it was
 * taken when the write-back leaves its pts 0. */
int64_t k230_display_time_us(const k_video_frame_info *frame, int64_t taken_us);
void k230_display_close(void);

#endif
