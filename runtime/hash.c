/* hash.c — the hash functions several types share: of a run of bytes, of a
 * double, of an address.
 *
 * Models CPython 3.11's Python/pyhash.c (_Py_HashBytes, _Py_HashDouble,
 * _Py_HashPointer).
 *
 * Invariants:
 *   - Never -1 (reserved for "error"): a computed -1 becomes -2.
 *   - Equal data hash alike whoever holds it: a str and a bytes of the same
 *     stored bytes (a str of code points below 256 and its Latin-1 bytes),
 *     as in CPython, where hash('abc') == hash(b'abc').
 *   - A double equal to an int hashes as that int does (the numeric hash
 *     modulo 2**61 - 1 of int.c), so hash(1.0) == hash(1).
 *
 * Deliberate difference: CPython hashes bytes with SipHash-1-3 under a key
 * drawn at start-up (PEP 456), so hash(b'abc') changes between runs. The
 * labs want repeatable runs, so this is FNV-1a with a final avalanche: not
 * attack-proof, which a teaching runtime does not need. The empty run
 * hashes to 0, as in CPython.
 */
#include <math.h>

#include "internal.h"

mp_hash_t mp_hash_bytes(const void *data, size_t n)
{
    if (n == 0)
        return 0;
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    mp_hash_t r = (mp_hash_t)h;
    return r == -1 ? -2 : r;
}

/* The numeric hash: a number's value modulo the Mersenne prime 2**61 - 1
 * (int.c computes the same for ints). */
#define HASH_BITS 61
#define HASH_MODULUS (((uint64_t)1 << HASH_BITS) - 1)
#define HASH_INF 314159 /* hash(float('inf')) */

/* x * 2**e mod (2**61 - 1), for 0 <= e < 61, is a 61-bit rotation by e. */
static uint64_t rotate61(uint64_t x, int e)
{
    return e ? ((x << e) & HASH_MODULUS) | (x >> (HASH_BITS - e)) : x;
}

mp_hash_t mp_hash_double(const void *owner, double v)
{
    if (isinf(v))
        return v > 0 ? HASH_INF : -HASH_INF;
    if (isnan(v)) /* each NaN is unequal to everything: hash by identity */
        return mp_hash_pointer(owner);
    int e;
    double m = frexp(fabs(v), &e); /* |v| = m * 2**e, 0.5 <= m < 1 */
    /* Take the mantissa 28 bits at a time, folding each into x as the
     * next base-2**28 digit of an integer; e tracks the binary point. */
    uint64_t x = 0;
    while (m != 0) {
        x = rotate61(x, 28);
        m *= 268435456.0; /* 2**28 */
        e -= 28;
        uint64_t digit = (uint64_t)m;
        m -= (double)digit;
        x += digit;
        if (x >= HASH_MODULUS)
            x -= HASH_MODULUS;
    }
    /* 2**61 == 1 modulo the prime, so only e modulo 61 matters. */
    e %= HASH_BITS;
    if (e < 0)
        e += HASH_BITS;
    x = rotate61(x, e);
    mp_hash_t h = v < 0 ? -(mp_hash_t)x : (mp_hash_t)x;
    return h == -1 ? -2 : h;
}

/* Addresses are 16-byte aligned: rotating the four zero bits away spreads
 * neighbouring objects over neighbouring hashes. */
mp_hash_t mp_hash_pointer(const void *p)
{
    uintptr_t y = (uintptr_t)p;
    y = (y >> 4) | (y << (8 * sizeof y - 4));
    mp_hash_t h = (mp_hash_t)y;
    return h == -1 ? -2 : h;
}
