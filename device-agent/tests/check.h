/* A minimal test harness: CHECK records a failure with its line and goes on; main returns the verdict. */
#ifndef K230_CHECK_H
#define K230_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                     \
    do {                                                                                                       \
        long long check_a = (long long)(a), check_b = (long long)(b);                                          \
        check_count++;                                                                                         \
        if (check_a != check_b) {                                                                              \
            check_failures++;                                                                                  \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, check_a, check_b); \
        }                                                                                                      \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                                \
    do {                                                                                                  \
        const char *check_a = (a), *check_b = (b);                                                        \
        check_count++;                                                                                    \
        if (strcmp(check_a, check_b) != 0) {                                                              \
            check_failures++;                                                                             \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  got  \"%s\"\n  want \"%s\"\n", __FILE__, __LINE__, #a, \
                    #b, check_a, check_b);                                                                \
        }                                                                                                 \
    } while (0)

static int check_report(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
