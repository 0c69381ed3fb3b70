/* The simulated board's display: what a program on it shows over the camera's picture, as the K230's
 * display write-back gives it (the video layer with the OSD layers composed over it). Here the video
 * layer is the camera's pattern and one OSD layer holds a white box that moves diagonally and a line
 * of text, "OSD" and a frame counter, so that a decoded display is told from the camera at a glance
 * and by a test: the box moves through the middle band of the picture (SIM_OSD_BAND_*), where the
 * camera's pattern has nothing brighter than its grey bands. Row fills only, as the pattern. */
#ifndef K230_SIM_OSD_H
#define K230_SIM_OSD_H
#include <stdint.h>

#include "sim_pattern.h"

#define SIM_OSD_BOX 64          /* the box's side, in pixels */
#define SIM_OSD_WHITE 235       /* its Y: video-range white */
#define SIM_OSD_BAND_TOP 25     /* the box stays in rows [TOP%, BOTTOM%) of the picture's height */
#define SIM_OSD_BAND_BOTTOM 70

/* Draws the OSD layer of frame frame_number over the picture. */
void sim_osd_draw(const struct sim_picture_s *pic, uint32_t frame_number);

#endif
