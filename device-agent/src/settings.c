#include "settings.h"

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
    };
}
