/* A property a fuzz target checks has failed: say which, and abort so libFuzzer keeps the input. */
#ifndef K230_FUZZ_FAIL_H
#define K230_FUZZ_FAIL_H
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_FAIL(...)                \
    do {                              \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr);          \
        abort();                      \
    } while (0)

#endif
