/* alloc_fuzz.c — a libFuzzer harness for the object allocator
 * (runtime/obmalloc.c, memdebug.c in a debug build).
 *
 * The input is a sequence of mp_object_malloc / mp_object_realloc /
 * mp_object_free calls over 64 block slots, of 0 to 2048 bytes (across
 * pymalloc's 512-byte line) and now and then a large one (up to 256 KiB: the debug
 * build keeps 4096 freed blocks in quarantine, which must fit in memory).
 * Every block is filled with a pattern made from its own serial number, so
 * a block that overlaps another, loses its contents in a move, or is
 * handed out twice shows up when it is checked: before every realloc and
 * free, and at the end. After each call the allocator's statistics must
 * agree with the harness's own count: the blocks in use, the bytes they
 * occupy (mp_rounded_size of each request), the allocations and frees.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "internal.h"
#include "mp.h"

#define NBLOCKS 64
#define MAX_OPS 2000

typedef struct block {
    unsigned char *p; /* NULL: the slot is empty */
    size_t n;
    unsigned serial;
} block;

static block blocks[NBLOCKS];
static unsigned next_serial;
static mp_malloc_stats base;
static uint64_t allocations, frees;

/* A block's contents: a window into a fixed pseudo-random sequence that
 * starts at a place set by its serial number, so that two blocks differ.
 * Filled and compared with memcpy and memcmp: byte loops in the harness
 * would be instrumented and cost most of the run. */
#define LARGEST ((size_t)262144)
#define WINDOWS ((size_t)1 << 20)
static unsigned char noise[LARGEST + WINDOWS];

static const unsigned char *pattern(unsigned serial)
{
    return noise + (size_t)serial * 4099u % WINDOWS;
}

static void fill(block *b, size_t from)
{
    memcpy(b->p + from, pattern(b->serial) + from, b->n - from);
}

static void check_bytes(const block *b, size_t n, const char *when)
{
    const unsigned char *want = pattern(b->serial);
    if (memcmp(b->p, want, n) == 0)
        return;
    size_t i = 0;
    while (b->p[i] == want[i])
        i++;
    FUZZ_FAIL("%s: byte %zu of block %u (%zu bytes) is %#x, not %#x", when, i, b->serial, b->n,
              b->p[i], want[i]);
}

/* A new block lies apart from every other live one, aligned. */
static void check_placement(const block *b)
{
    FUZZ_CHECK(b->p, "an allocation of %zu bytes failed: %s", b->n, mp_err_message());
    FUZZ_CHECK((uintptr_t)b->p % MP_ALIGNMENT == 0, "a block of %zu bytes is not %d-aligned",
               b->n, MP_ALIGNMENT);
    size_t n = b->n ? b->n : 1;
    for (int i = 0; i < NBLOCKS; i++) {
        const block *o = &blocks[i];
        if (o == b || !o->p)
            continue;
        size_t on = o->n ? o->n : 1;
        FUZZ_CHECK(b->p + n <= o->p || o->p + on <= b->p,
                   "block %u (%zu bytes) overlaps block %u (%zu bytes)", b->serial, b->n,
                   o->serial, o->n);
    }
}

static void check_stats(void)
{
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    size_t live = 0, bytes = 0;
    for (int i = 0; i < NBLOCKS; i++) {
        if (blocks[i].p) {
            live++;
            bytes += mp_rounded_size(blocks[i].n);
        }
    }
    FUZZ_CHECK(s.blocks_in_use == base.blocks_in_use + live,
               "the allocator counts %zu blocks in use, the harness %zu",
               s.blocks_in_use - base.blocks_in_use, live);
    FUZZ_CHECK(s.bytes_in_use == base.bytes_in_use + bytes,
               "the allocator counts %zu bytes in use, the harness %zu",
               s.bytes_in_use - base.bytes_in_use, bytes);
    FUZZ_CHECK(s.allocations == base.allocations + allocations && s.frees == base.frees + frees,
               "the allocator counts %llu allocations and %llu frees, the harness %llu and %llu",
               (unsigned long long)(s.allocations - base.allocations),
               (unsigned long long)(s.frees - base.frees), (unsigned long long)allocations,
               (unsigned long long)frees);
}

/* 0..2048 bytes, or one of a few large sizes when the first byte is 0xff. */
static size_t read_size(fuzz_input *in)
{
    static const size_t large[] = {4096, 16384, 65536, 262144};
    unsigned hi = fuzz_byte(in), lo = fuzz_byte(in);
    if (hi == 0xff)
        return large[lo % 4]; /* the last is LARGEST */
    return ((size_t)hi << 8 | lo) % 2049;
}

static void release(block *b)
{
    if (!b->p)
        return;
    check_bytes(b, b->n, "before free");
    mp_object_free(b->p);
    b->p = NULL;
    frees++;
}

static void op_malloc(fuzz_input *in, block *b)
{
    size_t n = read_size(in);
    release(b);
    b->n = n;
    b->serial = next_serial++;
    b->p = mp_object_malloc(n);
    check_placement(b);
    allocations++;
    fill(b, 0);
}

static void op_realloc(fuzz_input *in, block *b)
{
    size_t n = read_size(in);
    if (!b->p) {
        b->serial = next_serial++;
        b->n = n;
        b->p = mp_object_realloc(NULL, n);
        check_placement(b);
        allocations++;
        fill(b, 0);
        return;
    }
    check_bytes(b, b->n, "before realloc");
    size_t kept = b->n < n ? b->n : n;
    b->p = mp_object_realloc(b->p, n);
    b->n = n;
    check_placement(b);
    check_bytes(b, kept, "after realloc");
    fill(b, kept);
}

/* The runtime starts once: mp_init and mp_fini reserve and release a large
 * region of address space, which under ASan costs about 0.1 s a time. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(mp_init() == 0, "mp_init failed");
    uint32_t x = 2463534242u; /* xorshift32 */
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise[i] = (unsigned char)x;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    mp_get_malloc_stats(&base);
    allocations = frees = 0;
    next_serial = 1;
    memset(blocks, 0, sizeof blocks);
    for (int i = 0; i < MAX_OPS && !fuzz_done(&in); i++) {
        unsigned op = fuzz_byte(&in);
        block *b = &blocks[fuzz_below(&in, NBLOCKS)];
        switch (op % 4) {
        case 0:
        case 1: op_malloc(&in, b); break;
        case 2: op_realloc(&in, b); break;
        default: release(b); break;
        }
        check_stats();
    }
    for (int i = 0; i < NBLOCKS; i++)
        release(&blocks[i]);
    check_stats();
    return 0;
}
