#include "settings.h"

_Static_assert((int)CAMERA_SOURCE_CAMERA == (int)MSG_SOURCE_CAMERA && (int)CAMERA_SOURCE_DISPLAY == (int)MSG_SOURCE_DISPLAY,
               "a backend's sources are the protocol's numbers");

struct camera_settings_s settings_from_msg(const struct msg_stream_settings_s *w) {
    return (struct camera_settings_s){
        .width = w->width,
        .height = w->height,
        .fps = w->fps,
        .codec = (enum camera_codec_e)w->codec,
        .profile = (enum camera_profile_e)w->profile,
        .bitrate_kbps = (int)w->bitrate_kbps,
        .gop = w->gop,
        .audio = {.codec = (enum audio_codec_e)w->audio, .rate = w->audio_rate},
        /* Follow: a script's display while one shows, else the camera. No script runs on this agent. */
        .source = w->source == MSG_SOURCE_FOLLOW ? CAMERA_SOURCE_CAMERA : (enum camera_source_e)w->source,
    };
}
