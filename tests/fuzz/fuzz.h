/* fuzz.h — what the libFuzzer harnesses share: reading the input as a
 * stream of small numbers, and failing loudly.
 *
 * A harness's oracle reports a disagreement with the runtime through
 * FUZZ_FAIL, which prints the reason and aborts: libFuzzer then saves the
 * input as a crash file, and `make fuzz` shows both.
 */
#ifndef MEMLAB_TESTS_FUZZ_H
#define MEMLAB_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_FAIL(...)                                                                         \
    do {                                                                                       \
        fprintf(stderr, "fuzz: oracle: ");                                                     \
        fprintf(stderr, __VA_ARGS__);                                                          \
        fprintf(stderr, " (%s:%d)\n", __FILE__, __LINE__);                                     \
        abort();                                                                               \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                                                  \
    do {                                                                                       \
        if (!(cond))                                                                           \
            FUZZ_FAIL(__VA_ARGS__);                                                            \
    } while (0)

/* The input, read a byte at a time; past its end every read is 0 and
 * fuzz_done says so, which ends the program. */
typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, pos;
} fuzz_input;

static inline int fuzz_done(const fuzz_input *in) { return in->pos >= in->size; }

static inline unsigned fuzz_byte(fuzz_input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

/* A number below n (n >= 1). */
static inline unsigned fuzz_below(fuzz_input *in, unsigned n) { return fuzz_byte(in) % n; }

#endif
