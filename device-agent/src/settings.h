/* The stream settings a request carries (STREAM_START, BOARD_RECORD_START), as the camera takes
 * them. Their limits are the camera's: CAMERA_*_MIN/MAX in camera.h. */
#ifndef K230_SETTINGS_H
#define K230_SETTINGS_H
#include "camera.h"
#include "msg.h"

struct camera_settings_s settings_from_msg(const struct msg_stream_settings_s *w);

#endif
