/* SHA-256 against the FIPS 180-4 examples, fed whole and in odd pieces. */
#include "check.h"
#include "sha256.h"

static void hex_of(const char *msg, size_t piece, char out[65]) {
    struct sha256_s h;
    uint8_t digest[SHA256_SIZE];
    sha256_init(&h);
    size_t len = strlen(msg);
    for (size_t at = 0; at < len; at += piece) sha256_update(&h, (const uint8_t *)msg + at, len - at < piece ? len - at : piece);
    sha256_final(&h, digest);
    for (int i = 0; i < SHA256_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int main(void) {
    char hex[65];
    hex_of("", 1, hex);
    CHECK_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 1, hex);
    CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(two_blocks, 56, hex);
    CHECK_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    hex_of(two_blocks, 7, hex);
    CHECK_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    return check_report("test_sha256");
}
