/* Messages: every type round-trips; short, long and unknown payloads are refused. */
#include "check.h"
#include "msg.h"

static void round_trip(const struct msg_s *m) {
    uint8_t buf[512];
    long n = msg_encode_payload(m, buf, sizeof(buf));
    CHECK(n >= 0);
    struct msg_s back;
    CHECK_EQ_INT(msg_decode(m->type, m->id, buf, (size_t)n, &back), 0);
    char a[2048], b[2048];
    msg_dump(m, a, sizeof(a));
    msg_dump(&back, b, sizeof(b));
    CHECK_EQ_STR(b, a);
}

static void test_every_type_round_trips(void) {
    struct msg_s m = {.type = MSG_HELLO, .id = 1};
    m.u.hello.protocol_version = 1;
    snprintf(m.u.hello.host_name, sizeof(m.u.hello.host_name), "host");
    round_trip(&m);
    m = (struct msg_s){.type = MSG_STREAM_START, .id = 2};
    m.u.stream_start.settings = (struct msg_stream_settings_s){1920, 1080, 30, MSG_CODEC_H265, MSG_PROFILE_MAIN, 8000, 60, MSG_AUDIO_G711U, 8000, MSG_SOURCE_DISPLAY};
    round_trip(&m);
    m = (struct msg_s){.type = MSG_PONG, .id = 3};
    m.u.pong.host_time_us = 0x0102030405060708ull;
    m.u.pong.board_time_us = 42;
    round_trip(&m);
    m = (struct msg_s){.type = MSG_HELLO_REPLY, .id = 4};
    snprintf(m.u.hello_reply.board_name, sizeof(m.u.hello_reply.board_name), "CanMV K230");
    m.u.hello_reply.max_width = 1920;
    round_trip(&m);
    static const uint8_t boxes[] = {0, 0, 0, 8, 'm', 'd', 'a', 't'};
    m = (struct msg_s){.type = MSG_FRAGMENT};
    m.u.fragment.sequence = 7;
    m.u.fragment.pts_us = 123456789;
    m.u.fragment.flags = MSG_FRAGMENT_KEYFRAME;
    m.u.fragment.data = (struct msg_bytes_s){boxes, sizeof(boxes)};
    round_trip(&m);
}

static void test_truncated_and_padded_payloads_are_refused(void) {
    struct msg_s m = {.type = MSG_SET_BITRATE, .id = 5};
    m.u.set_bitrate.bitrate_kbps = 4000;
    uint8_t buf[16];
    long n = msg_encode_payload(&m, buf, sizeof(buf));
    struct msg_s back;
    CHECK_EQ_INT(msg_decode(MSG_SET_BITRATE, 5, buf, (size_t)n - 1, &back), -1);
    CHECK_EQ_INT(msg_decode(MSG_SET_BITRATE, 5, buf, (size_t)n + 1, &back), -1);
    CHECK_EQ_INT(msg_decode(0x42, 5, buf, (size_t)n, &back), -1);
}

static void test_string_longer_than_its_payload_is_refused(void) {
    uint8_t buf[] = {1, 0, 200, 'a', 'b'}; /* HELLO claiming a 200-byte host name */
    struct msg_s back;
    CHECK_EQ_INT(msg_decode(MSG_HELLO, 1, buf, sizeof(buf), &back), -1);
}

/* Found by fuzz_msg: a NUL inside a string was taken, then cut the C copy short, so the message
 * re-encoded to other bytes than it came in. */
static void test_string_with_a_nul_inside_is_refused(void) {
    uint8_t hello[] = {1, 0, 5, 'k', '2', 0, '3', '0'};
    struct msg_s back;
    CHECK_EQ_INT(msg_decode(MSG_HELLO, 1, hello, sizeof(hello), &back), -1);
    uint8_t error[] = {2, 0, 4, 'b', 'a', 'd', 0};
    CHECK_EQ_INT(msg_decode(MSG_ERROR, 1, error, sizeof(error), &back), -1);
    uint8_t path[] = {3, 0, 'a', 0, 'b'};
    CHECK_EQ_INT(msg_decode(MSG_FILE_STAT, 1, path, sizeof(path), &back), -1);
}

/* Found by fuzz_msg: measuring with (NULL, 0) formed a pointer from NULL (UBSan), and a small buffer
 * one past its end. */
static void test_dump_measures_and_cuts_like_snprintf(void) {
    struct msg_s m = {.type = MSG_ERROR, .id = 9};
    m.u.error.code = MSG_ERR_BAD_REQUEST;
    snprintf(m.u.error.message, sizeof(m.u.error.message), "malformed PING request");
    char full[256], small[8];
    size_t need = msg_dump(&m, NULL, 0);
    CHECK_EQ_INT(msg_dump(&m, full, sizeof(full)), need);
    CHECK_EQ_INT(strlen(full), need);
    CHECK_EQ_INT(msg_dump(&m, small, sizeof(small)), need);
    CHECK_EQ_INT(strlen(small), sizeof(small) - 1);
    CHECK(!strncmp(small, full, sizeof(small) - 1));
}

int main(void) {
    test_every_type_round_trips();
    test_truncated_and_padded_payloads_are_refused();
    test_string_longer_than_its_payload_is_refused();
    test_string_with_a_nul_inside_is_refused();
    test_dump_measures_and_cuts_like_snprintf();
    return check_report("test_msg");
}
