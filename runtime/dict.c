/* dict.c — CPython 3.11's compact dict: an index table over entries kept in
 * insertion order, and the split tables behind instances' attributes.
 *
 * Models CPython 3.11's Objects/dictobject.c. Read insert_item and
 * dict_resize first: they decide every size sys.getsizeof reports.
 *
 * A dict (48 bytes, 64 with the GC header) points at a keys object, one
 * allocation:
 *
 *     [ refcnt | log2 size, log2 index bytes, kind | usable | nentries ]  32 bytes
 *     [ indices: 2**log2_size slots of 1, 2, 4 or 8 bytes ]
 *     [ entries: USABLE_FRACTION(size) of them, in insertion order ]
 *
 * A slot of the index table holds an entry's position, DKIX_EMPTY (never
 * used) or DKIX_DUMMY (its entry was deleted). Slots are 1 byte up to 128 of
 * them, 2 up to 2**15, 4 up to 2**31, 8 beyond. An entry is 16 bytes (key,
 * value) while every key is a str, which carries its own hash, and 24 bytes
 * (hash, key, value) once any other key arrives. Lookups probe the index
 * table with CPython's recurrence i = 5*i + 1 + (perturb >>= 5).
 *
 * Growth: entries are only ever appended. When none is left (usable == 0)
 * the next insertion rebuilds the table for GROWTH_RATE = used * 3, rounded
 * up to a power of two (calculate_log2_keysize, at least 8; 16 for anything
 * from 1 to 7), dropping deleted entries. Deleting leaves its entry behind
 * and a dummy slot, so a dict never shrinks until it grows again;
 * PyDict_Clear goes back to the shared empty keys.
 *
 * A split table shares its keys object (kind SPLIT, 64 slots, at most 30
 * keys) with every instance of a class and keeps its values in an array of
 * its own, preceded by one byte per key for the dict's insertion order:
 *
 *     [ order: ix0 ix1 ... | count | prefix size ][ values[0] ... values[size-1] ]
 *
 * The class keeps the shared keys as CPython's ht_cached_keys; see
 * instance.c. sys.getsizeof of a split dict counts its values array but not
 * the shared keys.
 *
 * Invariants:
 *   - A combined table (ma_values NULL) owns its keys: dk_refcnt == 1, or the
 *     keys are the shared empty keys, which are immortal here (CPython 3.11
 *     counts their references, but they never reach zero there either).
 *   - ma_used live entries; dk_nentries entries appended; dk_usable more may
 *     be appended; in a combined table dk_usable + dk_nentries ==
 *     USABLE_FRACTION(size) (the shared class keys start at 30 instead).
 *   - An index slot >= 0 points at an entry with a key; a combined table's
 *     deleted entry has key and value NULL and no slot pointing at it.
 *   - A split table's keys are all str and never deleted; its values[ix] is
 *     NULL for a key this dict does not hold, and the order bytes list the
 *     ix of every value it holds, oldest first.
 *   - ma_version_tag changes with every change of the dict (a fresh number
 *     from one counter), so a lookup can tell that a comparison it called
 *     changed the dict, and start again.
 *   - CPython keeps free lists of 80 dicts and 80 small keys objects; this
 *     model does not, so tracemalloc sees every dict it makes.
 */
#include "dict.h"

#include <string.h>

#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"
#include "str.h"
#include "tuple.h"

#define DICT_LOG_MINSIZE 3
#define DICT_MINSIZE 8
#define PERTURB_SHIFT 5
/* Two thirds of the table holds entries; the rest keeps probes short. */
#define USABLE_FRACTION(n) (((n) << 1) / 3)
#define GROWTH_RATE(d) ((d)->ma_used * 3)
/* Bigger tables could not be allocated anyway; the limit keeps the byte
 * counts below from overflowing. */
#define DICT_LOG_MAXSIZE 48

#define DKIX_EMPTY (-1)
#define DKIX_DUMMY (-2)
#define DKIX_ERROR (-3)
#define DKIX_KEY_CHANGED (-4) /* a comparison changed the dict: look again */

#define SHARED_KEYS_MAX_SIZE 30
#define NEXT_LOG2_SHARED_KEYS_MAX_SIZE 6

typedef enum { KEYS_GENERAL, KEYS_UNICODE, KEYS_SPLIT } keys_kind;

struct mp_dict_keys {
    mp_ssize_t dk_refcnt;
    uint8_t dk_log2_size;
    uint8_t dk_log2_index_bytes;
    uint8_t dk_kind;
    mp_ssize_t dk_usable;
    mp_ssize_t dk_nentries;
    /* the index table and the entries follow */
};

_Static_assert(sizeof(mp_dict_keys) == 32, "PyDictKeysObject's header is 32 bytes in 3.11");
_Static_assert(sizeof(mp_dict) == 48, "PyDictObject is 48 bytes in 3.11");

typedef struct {
    mp_hash_t me_hash;
    mp_object *me_key;
    mp_object *me_value;
} general_entry; /* PyDictKeyEntry */

typedef struct {
    mp_object *me_key;
    mp_object *me_value; /* unused in split keys */
} str_entry; /* PyDictUnicodeEntry */

/* The keys of every empty dict: one index slot, always empty, no room. */
static struct {
    mp_dict_keys keys;
    int8_t indices[8];
} empty_keys_storage = {
    {MP_IMMORTAL_REFCNT, 0, 0, KEYS_UNICODE, 0, 0},
    {DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY, DKIX_EMPTY},
};
#define EMPTY_KEYS (&empty_keys_storage.keys)

static uint64_t dict_version; /* _pydict_global_version */

static mp_dict *as_dict(mp_object *o) { return (mp_dict *)o; }

/* ---- the keys object ---------------------------------------------------------- */

static bool is_unicode(const mp_dict_keys *dk) { return dk->dk_kind != KEYS_GENERAL; }
static size_t dk_size(const mp_dict_keys *dk) { return (size_t)1 << dk->dk_log2_size; }
static void *dk_indices(const mp_dict_keys *dk) { return (char *)(dk + 1); }

static general_entry *general_entries(const mp_dict_keys *dk)
{
    return (general_entry *)((char *)(dk + 1) + ((size_t)1 << dk->dk_log2_index_bytes));
}

static str_entry *str_entries(const mp_dict_keys *dk)
{
    return (str_entry *)((char *)(dk + 1) + ((size_t)1 << dk->dk_log2_index_bytes));
}

static size_t entry_bytes(bool unicode) { return unicode ? sizeof(str_entry) : sizeof(general_entry); }

static mp_ssize_t get_index(const mp_dict_keys *dk, size_t i)
{
    const void *ix = dk_indices(dk);
    switch (dk->dk_log2_index_bytes - dk->dk_log2_size) {
    case 0: return ((const int8_t *)ix)[i];
    case 1: return ((const int16_t *)ix)[i];
    case 2: return ((const int32_t *)ix)[i];
    default: return ((const int64_t *)ix)[i];
    }
}

static void set_index(mp_dict_keys *dk, size_t i, mp_ssize_t v)
{
    void *ix = dk_indices(dk);
    switch (dk->dk_log2_index_bytes - dk->dk_log2_size) {
    case 0: ((int8_t *)ix)[i] = (int8_t)v; break;
    case 1: ((int16_t *)ix)[i] = (int16_t)v; break;
    case 2: ((int32_t *)ix)[i] = (int32_t)v; break;
    default: ((int64_t *)ix)[i] = (int64_t)v; break;
    }
}

static mp_object *entry_key(const mp_dict_keys *dk, mp_ssize_t ix)
{
    return is_unicode(dk) ? str_entries(dk)[ix].me_key : general_entries(dk)[ix].me_key;
}

/* A str key's hash is cached in the str, and was computed when it went in. */
static mp_hash_t entry_hash(const mp_dict_keys *dk, mp_ssize_t ix)
{
    return is_unicode(dk) ? ((mp_str *)str_entries(dk)[ix].me_key)->hash
                          : general_entries(dk)[ix].me_hash;
}

/* The smallest table of at least minsize slots, and at least 8; CPython's
 * bit trick, which also sends anything from 1 to 7 to 16. */
static uint8_t calculate_log2_keysize(mp_ssize_t minsize)
{
    size_t m = (((size_t)minsize | DICT_MINSIZE) - 1) | (DICT_MINSIZE - 1);
    return (uint8_t)(64 - __builtin_clzll((unsigned long long)m));
}

/* new_keys_object: 2**log2_size empty slots and room for two thirds as
 * many entries, 16 or 24 bytes each. */
static mp_dict_keys *keys_new(uint8_t log2_size, bool unicode)
{
    if (log2_size > DICT_LOG_MAXSIZE)
        return mp_err_nomemory();
    uint8_t log2_bytes = (uint8_t)(log2_size + (log2_size < 8    ? 0
                                                : log2_size < 16 ? 1
                                                : log2_size < 32 ? 2
                                                                 : 3));
    mp_ssize_t usable = USABLE_FRACTION((mp_ssize_t)1 << log2_size);
    size_t index_bytes = (size_t)1 << log2_bytes;
    size_t entries = entry_bytes(unicode) * (size_t)usable;
    mp_dict_keys *dk = mp_object_malloc(sizeof *dk + index_bytes + entries);
    if (!dk)
        return NULL;
    dk->dk_refcnt = 1;
    dk->dk_log2_size = log2_size;
    dk->dk_log2_index_bytes = log2_bytes;
    dk->dk_kind = unicode ? KEYS_UNICODE : KEYS_GENERAL;
    dk->dk_usable = usable;
    dk->dk_nentries = 0;
    memset(dk_indices(dk), 0xff, index_bytes); /* DKIX_EMPTY at every width */
    memset((char *)dk_indices(dk) + index_bytes, 0, entries);
    return dk;
}

/* _PyDict_KeysSize: what a keys object occupies. */
static size_t keys_size(const mp_dict_keys *dk)
{
    return sizeof *dk + ((size_t)1 << dk->dk_log2_index_bytes) +
           entry_bytes(is_unicode(dk)) * (size_t)USABLE_FRACTION((mp_ssize_t)dk_size(dk));
}

/* Releases the entries' references in entry order, key before value, then
 * the memory: how a dict's items die in insertion order. */
static void keys_free(mp_dict_keys *dk)
{
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++) {
        if (is_unicode(dk)) {
            MP_XDECREF(str_entries(dk)[i].me_key);
            MP_XDECREF(str_entries(dk)[i].me_value);
        } else {
            MP_XDECREF(general_entries(dk)[i].me_key);
            MP_XDECREF(general_entries(dk)[i].me_value);
        }
    }
    mp_object_free(dk);
}

static void keys_decref(mp_dict_keys *dk)
{
    if (dk != EMPTY_KEYS && --dk->dk_refcnt == 0)
        keys_free(dk);
}

/* The first slot on key's probe path that holds no entry: empty, or a dummy
 * left by a deletion. The table always has an empty slot, so this ends. */
static size_t find_empty_slot(const mp_dict_keys *dk, mp_hash_t hash)
{
    size_t mask = dk_size(dk) - 1, i = (size_t)hash & mask, perturb = (size_t)hash;
    while (get_index(dk, i) >= 0) {
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
    return i;
}

/* The slot holding entry ix, whose key has this hash. */
static size_t lookdict_index(const mp_dict_keys *dk, mp_hash_t hash, mp_ssize_t ix)
{
    size_t mask = dk_size(dk) - 1, i = (size_t)hash & mask, perturb = (size_t)hash;
    while (get_index(dk, i) != ix) {
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
    return i;
}

/* A str key among str keys: identity, then the hashes, then the text.
 * Nothing here can run other code, so nothing can change under it. */
static mp_ssize_t unicode_lookup(const mp_dict_keys *dk, mp_object *key, mp_hash_t hash)
{
    size_t mask = dk_size(dk) - 1, i = (size_t)hash & mask, perturb = (size_t)hash;
    const str_entry *entries = str_entries(dk);
    for (;;) {
        mp_ssize_t ix = get_index(dk, i);
        if (ix >= 0) {
            mp_object *k = entries[ix].me_key;
            if (k == key ||
                (((mp_str *)k)->hash == hash && mp_type_str.tp_richcompare(k, key, MP_EQ) == 1))
                return ix;
        } else if (ix == DKIX_EMPTY) {
            return DKIX_EMPTY;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

/* Any other key: == runs the key type's comparison, which may change the
 * dict; if it did, the caller looks again from the start. */
static mp_ssize_t generic_lookup(mp_dict *mp, mp_object *key, mp_hash_t hash)
{
    mp_dict_keys *dk = mp->ma_keys;
    size_t mask = dk_size(dk) - 1, i = (size_t)hash & mask, perturb = (size_t)hash;
    for (;;) {
        mp_ssize_t ix = get_index(dk, i);
        if (ix >= 0) {
            mp_object *k = entry_key(dk, ix);
            if (k == key)
                return ix;
            if (entry_hash(dk, ix) == hash) {
                uint64_t version = mp->ma_version_tag;
                MP_INCREF(k);
                int eq = mp_object_richcompare(k, key, MP_EQ);
                MP_DECREF(k);
                if (eq < 0)
                    return DKIX_ERROR;
                if (mp->ma_keys != dk || mp->ma_version_tag != version)
                    return DKIX_KEY_CHANGED;
                if (eq)
                    return ix;
            }
        } else if (ix == DKIX_EMPTY) {
            return DKIX_EMPTY;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + perturb + 1) & mask;
    }
}

static mp_object **value_slot(mp_dict *mp, mp_ssize_t ix)
{
    if (mp->ma_values)
        return &mp->ma_values[ix];
    return is_unicode(mp->ma_keys) ? &str_entries(mp->ma_keys)[ix].me_value
                                   : &general_entries(mp->ma_keys)[ix].me_value;
}

/* _Py_dict_lookup: the entry holding key, or DKIX_EMPTY, or DKIX_ERROR.
 * *value is its value, NULL when absent (in a split table, a key the
 * class knows but this dict does not hold is found with a NULL value). */
static mp_ssize_t dict_lookup(mp_dict *mp, mp_object *key, mp_hash_t hash, mp_object **value)
{
    mp_ssize_t ix;
    do {
        if (is_unicode(mp->ma_keys) && mp_str_check(key))
            ix = unicode_lookup(mp->ma_keys, key, hash);
        else
            ix = generic_lookup(mp, key, hash);
    } while (ix == DKIX_KEY_CHANGED);
    *value = ix >= 0 ? *value_slot(mp, ix) : NULL;
    return ix;
}

static mp_hash_t hash_of(mp_object *key)
{
    if (mp_str_check(key) && ((mp_str *)key)->hash != -1)
        return ((mp_str *)key)->hash;
    return mp_object_hash(key);
}

/* ---- split values ------------------------------------------------------------- */

static uint8_t *order_count(mp_object **values) { return (uint8_t *)values - 2; }

/* The ix of the i-th value in insertion order. */
static mp_ssize_t order_at(mp_object **values, mp_ssize_t i) { return ((uint8_t *)values)[-3 - i]; }

static void order_add(mp_object **values, mp_ssize_t ix)
{
    uint8_t *count = order_count(values);
    int n = *count + 1;
    count[-n] = (uint8_t)ix;
    *count = (uint8_t)n;
}

static void order_remove(mp_object **values, mp_ssize_t ix)
{
    uint8_t *count = order_count(values);
    int n = *count, i = 1;
    while (count[-i] != ix)
        i++;
    for (; i < n; i++)
        count[-i] = count[-i - 1];
    *count = (uint8_t)(n - 1);
}

/* new_values: size NULL values after a prefix of size + 2 bytes rounded up
 * to a word: the order, the count, and the prefix's own size. */
static mp_object **values_new(mp_ssize_t size)
{
    size_t prefix = ((size_t)size + 2 + sizeof(mp_object *) - 1) & ~(sizeof(mp_object *) - 1);
    uint8_t *mem = mp_object_malloc(prefix + (size_t)size * sizeof(mp_object *));
    if (!mem)
        return NULL;
    mem[prefix - 1] = (uint8_t)prefix;
    mem[prefix - 2] = 0;
    mp_object **values = (mp_object **)(mem + prefix);
    for (mp_ssize_t i = 0; i < size; i++)
        values[i] = NULL;
    return values;
}

static void values_free(mp_object **values)
{
    uint8_t *mem = (uint8_t *)values;
    mp_object_free(mem - mem[-1]);
}

/* shared_keys_usable_size: how many values an instance made now gets. */
static mp_ssize_t shared_keys_usable_size(const mp_dict_keys *dk)
{
    return dk->dk_nentries + dk->dk_usable;
}

/* ---- growing ----------------------------------------------------------------- */

/* Appends entry i of a keys object being built, and its index slot. */
static void append_entry(mp_dict_keys *dk, mp_ssize_t i, mp_hash_t hash, mp_object *key,
                         mp_object *value)
{
    if (is_unicode(dk)) {
        str_entries(dk)[i] = (str_entry){key, value};
    } else {
        general_entries(dk)[i] = (general_entry){hash, key, value};
    }
    set_index(dk, find_empty_slot(dk, hash), i);
}

/* dictresize: a new combined table of 2**log2_newsize slots holding the
 * live items, compacted, in order. A split table becomes combined (its keys
 * gain a reference each, its values move); a table with a key that is not
 * a str, or asked not to be unicode, gets 24-byte entries. */
static int dict_resize(mp_dict *mp, uint8_t log2_newsize, bool unicode)
{
    mp_dict_keys *oldkeys = mp->ma_keys;
    mp_object **oldvalues = mp->ma_values;
    if (!is_unicode(oldkeys))
        unicode = false;
    mp_dict_keys *newkeys = keys_new(log2_newsize, unicode);
    if (!newkeys)
        return -1;
    mp_ssize_t n = mp->ma_used;
    if (oldvalues) {
        for (mp_ssize_t i = 0; i < n; i++) {
            mp_ssize_t ix = order_at(oldvalues, i);
            mp_object *key = mp_newref(str_entries(oldkeys)[ix].me_key);
            append_entry(newkeys, i, ((mp_str *)key)->hash, key, oldvalues[ix]);
        }
    } else {
        mp_ssize_t ix = 0;
        for (mp_ssize_t i = 0; i < n; i++, ix++) {
            while (!*value_slot(mp, ix))
                ix++;
            append_entry(newkeys, i, entry_hash(oldkeys, ix), entry_key(oldkeys, ix),
                         *value_slot(mp, ix));
        }
    }
    newkeys->dk_usable -= n;
    newkeys->dk_nentries = n;
    mp->ma_keys = newkeys;
    mp->ma_values = NULL;
    if (oldvalues) {
        values_free(oldvalues);
        keys_decref(oldkeys);
    } else if (oldkeys != EMPTY_KEYS) {
        mp_object_free(oldkeys); /* its references moved to the new keys */
    }
    return 0;
}

static int insertion_resize(mp_dict *mp, bool unicode)
{
    return dict_resize(mp, calculate_log2_keysize(GROWTH_RATE(mp)), unicode);
}

/* insert_to_emptydict: the first item gets a table of 8. */
static int insert_to_empty(mp_dict *mp, mp_object *key, mp_hash_t hash, mp_object *value)
{
    mp_dict_keys *dk = keys_new(DICT_LOG_MINSIZE, mp_str_check(key));
    if (!dk) {
        MP_DECREF(key);
        MP_DECREF(value);
        return -1;
    }
    append_entry(dk, 0, hash, key, value);
    dk->dk_usable--;
    dk->dk_nentries = 1;
    mp->ma_keys = dk;
    mp->ma_used = 1;
    mp->ma_version_tag = ++dict_version;
    return 0;
}

/* MAINTAIN_TRACKING: a dict is tracked by the collector only once it holds
 * something that could be part of a cycle; dicts of atoms never are. */
static void maintain_tracking(mp_dict *mp, mp_object *key, mp_object *value)
{
    if (!mp_gc_is_tracked(MP_OBJ(mp)) && (mp_gc_may_be_tracked(key) || mp_gc_may_be_tracked(value)))
        mp_gc_track(MP_OBJ(mp));
}

/* insertdict: stores value under key, taking over a reference to each
 * (even on failure). A key already present keeps its first key object. */
static int insert_item(mp_dict *mp, mp_object *key, mp_hash_t hash, mp_object *value)
{
    maintain_tracking(mp, key, value);
    if (mp->ma_keys == EMPTY_KEYS)
        return insert_to_empty(mp, key, hash, value);
    /* A str-only table cannot hold this key: rebuild it with 24-byte entries. */
    if (is_unicode(mp->ma_keys) && !mp_str_check(key) && insertion_resize(mp, false) < 0)
        goto fail;
    mp_object *old;
    mp_ssize_t ix = dict_lookup(mp, key, hash, &old);
    if (ix == DKIX_ERROR)
        goto fail;
    mp->ma_version_tag = ++dict_version;
    if (ix == DKIX_EMPTY) {
        if (mp->ma_keys->dk_usable <= 0 && insertion_resize(mp, true) < 0)
            goto fail;
        mp_dict_keys *dk = mp->ma_keys;
        mp_ssize_t n = dk->dk_nentries;
        if (mp->ma_values) {
            /* A new key of the class, now known to every instance. */
            str_entries(dk)[n].me_key = key;
            set_index(dk, find_empty_slot(dk, hash), n);
            mp->ma_values[n] = value;
            order_add(mp->ma_values, n);
        } else {
            append_entry(dk, n, hash, key, value);
        }
        mp->ma_used++;
        dk->dk_usable--;
        dk->dk_nentries++;
        return 0;
    }
    if (old != value) {
        *value_slot(mp, ix) = value;
        if (!old) { /* a split table's key this dict did not hold yet */
            order_add(mp->ma_values, ix);
            mp->ma_used++;
        }
    }
    MP_XDECREF(old); /* or, when value was already there, the reference passed in */
    MP_DECREF(key);
    return 0;
fail:
    MP_DECREF(key);
    MP_DECREF(value);
    return -1;
}

/* ---- the public API ---------------------------------------------------------- */

static mp_object *dict_from(mp_dict_keys *keys, mp_object **values, mp_ssize_t used)
{
    mp_dict *mp = (mp_dict *)mp_gc_new(&mp_type_dict);
    if (!mp)
        return NULL;
    mp->ma_used = used;
    mp->ma_version_tag = ++dict_version;
    mp->ma_keys = keys;
    mp->ma_values = values;
    return MP_OBJ(mp);
}

mp_object *mp_dict_new(void) { return dict_from(EMPTY_KEYS, NULL, 0); }

int mp_dict_setitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash, mp_object *value)
{
    return insert_item(as_dict(d), mp_newref(key), hash, mp_newref(value));
}

int mp_dict_setitem(mp_object *d, mp_object *key, mp_object *value)
{
    MP_CHECK_LIVE(d, "dict setitem");
    MP_CHECK_LIVE(key, "dict setitem");
    MP_CHECK_LIVE(value, "dict setitem");
    mp_hash_t hash = hash_of(key);
    if (hash == -1)
        return -1;
    return mp_dict_setitem_knownhash(d, key, hash, value);
}

mp_object *mp_dict_getitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash)
{
    mp_object *value;
    dict_lookup(as_dict(d), key, hash, &value);
    return value;
}

mp_object *mp_dict_getitem(mp_object *d, mp_object *key)
{
    mp_hash_t hash = hash_of(key);
    if (hash == -1)
        return NULL;
    return mp_dict_getitem_knownhash(d, key, hash);
}

int mp_dict_contains(mp_object *d, mp_object *key)
{
    mp_object *value = mp_dict_getitem(d, key);
    return value ? 1 : mp_err_occurred() ? -1 : 0;
}

static int key_error(mp_object *key)
{
    char text[256];
    mp_err_set(MP_ERR_KEY, mp_repr(key, text, sizeof text));
    return -1;
}

int mp_dict_delitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash)
{
    mp_dict *mp = as_dict(d);
    mp_object *old;
    mp_ssize_t ix = dict_lookup(mp, key, hash, &old);
    if (ix == DKIX_ERROR)
        return -1;
    if (!old)
        return key_error(key);
    mp->ma_used--;
    mp->ma_version_tag = ++dict_version;
    if (mp->ma_values) {
        mp->ma_values[ix] = NULL;
        order_remove(mp->ma_values, ix);
    } else {
        mp_dict_keys *dk = mp->ma_keys;
        set_index(dk, lookdict_index(dk, hash, ix), DKIX_DUMMY);
        mp_object *old_key;
        if (is_unicode(dk)) {
            str_entry *ep = &str_entries(dk)[ix];
            old_key = ep->me_key;
            *ep = (str_entry){NULL, NULL};
        } else {
            general_entry *ep = &general_entries(dk)[ix];
            old_key = ep->me_key;
            *ep = (general_entry){0, NULL, NULL};
        }
        MP_DECREF(old_key);
    }
    MP_DECREF(old);
    return 0;
}

int mp_dict_delitem(mp_object *d, mp_object *key)
{
    mp_hash_t hash = hash_of(key);
    if (hash == -1)
        return -1;
    return mp_dict_delitem_knownhash(d, key, hash);
}

mp_ssize_t mp_dict_size(mp_object *d) { return as_dict(d)->ma_used; }

/* Empties the dict first, then releases what it held, so code run by a
 * release sees an empty dict. */
void mp_dict_clear(mp_object *d)
{
    mp_dict *mp = as_dict(d);
    mp_dict_keys *oldkeys = mp->ma_keys;
    mp_object **oldvalues = mp->ma_values;
    if (oldkeys == EMPTY_KEYS)
        return;
    mp->ma_keys = EMPTY_KEYS;
    mp->ma_values = NULL;
    mp->ma_used = 0;
    mp->ma_version_tag = ++dict_version;
    if (oldvalues) {
        for (mp_ssize_t i = 0; i < oldkeys->dk_nentries; i++)
            MP_CLEAR(oldvalues[i]);
        values_free(oldvalues);
    }
    keys_decref(oldkeys);
}

/* The live item at position pos (entry pos of a combined table, or the
 * pos-th in a split table's order): its entry, or -1 for a deleted one. */
static mp_ssize_t item_at(mp_dict *mp, mp_ssize_t pos, mp_object **key, mp_object **value)
{
    mp_ssize_t ix = mp->ma_values ? order_at(mp->ma_values, pos) : pos;
    *value = *value_slot(mp, ix);
    *key = entry_key(mp->ma_keys, ix);
    return *value ? ix : -1;
}

/* Where positions end: the entries appended, or a split table's items. */
static mp_ssize_t positions(mp_dict *mp)
{
    return mp->ma_values ? mp->ma_used : mp->ma_keys->dk_nentries;
}

bool mp_dict_next(mp_object *d, mp_ssize_t *pos, mp_object **key, mp_object **value)
{
    mp_dict *mp = as_dict(d);
    mp_object *k, *v;
    for (mp_ssize_t i = *pos; i >= 0 && i < positions(mp); i++) {
        if (item_at(mp, i, &k, &v) >= 0) {
            *pos = i + 1;
            if (key)
                *key = k;
            if (value)
                *value = v;
            return true;
        }
    }
    return false;
}

void mp_dict_get_layout(mp_object *d, mp_dict_layout *out)
{
    mp_dict *mp = as_dict(d);
    const mp_dict_keys *dk = mp->ma_keys;
    out->table_size = (mp_ssize_t)dk_size(dk);
    out->index_bytes = 1 << (dk->dk_log2_index_bytes - dk->dk_log2_size);
    out->entry_bytes = (int)entry_bytes(is_unicode(dk));
    out->usable = dk->dk_usable;
    out->nentries = dk->dk_nentries;
    out->split = mp->ma_values != NULL;
    out->shared_empty = dk == EMPTY_KEYS;
}

/* ---- what instances use (see instance.c) ------------------------------------- */

/* _PyDict_NewKeysForClass: 64 slots with room for 30 keys. The room goes
 * down by one as each instance is made (see mp_dict_values_new_for_instance),
 * so instances made later get shorter values arrays. */
mp_dict_keys *mp_dict_keys_new_for_class(void)
{
    mp_dict_keys *dk = keys_new(NEXT_LOG2_SHARED_KEYS_MAX_SIZE, true);
    if (dk) {
        dk->dk_usable = SHARED_KEYS_MAX_SIZE;
        dk->dk_kind = KEYS_SPLIT;
    }
    return dk;
}

void mp_dict_keys_decref(mp_dict_keys *dk) { keys_decref(dk); }

mp_ssize_t mp_dict_keys_nentries(const mp_dict_keys *dk) { return dk->dk_nentries; }

mp_ssize_t mp_dict_keys_lookup_str(mp_dict_keys *dk, mp_object *name)
{
    mp_ssize_t ix = unicode_lookup(dk, name, hash_of(name));
    return ix >= 0 ? ix : -1;
}

/* insert_into_dictkeys: every instance of the class sees the new key at
 * once, without a value. */
mp_ssize_t mp_dict_keys_insert_str(mp_dict_keys *dk, mp_object *name)
{
    mp_hash_t hash = hash_of(name);
    mp_ssize_t ix = unicode_lookup(dk, name, hash);
    if (ix >= 0)
        return ix;
    if (dk->dk_usable <= 0)
        return -1;
    ix = dk->dk_nentries;
    str_entries(dk)[ix].me_key = mp_newref(name);
    set_index(dk, find_empty_slot(dk, hash), ix);
    dk->dk_usable--;
    dk->dk_nentries++;
    return ix;
}

/* init_inline_values. */
mp_object **mp_dict_values_new_for_instance(mp_dict_keys *dk)
{
    if (dk->dk_usable > 1)
        dk->dk_usable--;
    return values_new(shared_keys_usable_size(dk));
}

int mp_dict_values_set(mp_object **values, mp_ssize_t ix, mp_object *value)
{
    mp_object *old = values[ix];
    if (!old && !value)
        return 1;
    values[ix] = value ? mp_newref(value) : NULL;
    if (!old)
        order_add(values, ix);
    else if (!value)
        order_remove(values, ix);
    MP_XDECREF(old);
    return 0;
}

/* make_dict_from_instance_attributes: the keys gain the dict's reference;
 * the dict is tracked if one of the values may be. */
mp_object *mp_dict_from_values(mp_dict_keys *dk, mp_object **values)
{
    mp_object *d = dict_from(dk, values, *order_count(values));
    if (!d)
        return NULL;
    dk->dk_refcnt++;
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++) {
        if (values[i] && mp_gc_may_be_tracked(values[i])) {
            mp_gc_track(d);
            break;
        }
    }
    return d;
}

bool mp_dict_may_untrack(mp_object *d)
{
    mp_dict *mp = as_dict(d);
    mp_dict_keys *dk = mp->ma_keys;
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++) {
        mp_object *v = *value_slot(mp, i);
        if (!v)
            continue;
        if (mp_gc_may_be_tracked(v) ||
            (!mp->ma_values && !is_unicode(dk) && mp_gc_may_be_tracked(general_entries(dk)[i].me_key)))
            return false;
    }
    return true;
}

mp_object *mp_dict_new_split(mp_dict_keys *dk)
{
    mp_object **values = values_new(shared_keys_usable_size(dk));
    if (!values)
        return NULL;
    mp_object *d = mp_dict_from_values(dk, values);
    if (!d)
        values_free(values);
    return d;
}

mp_object *mp_dict_values_get(mp_dict_keys *dk, mp_object **values, mp_object *name)
{
    mp_ssize_t ix = mp_dict_keys_lookup_str(dk, name);
    return ix >= 0 ? values[ix] : NULL;
}

void mp_dict_values_clear(mp_dict_keys *dk, mp_object **values)
{
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++)
        MP_CLEAR(values[i]);
    *order_count(values) = 0;
}

void mp_dict_values_free(mp_dict_keys *dk, mp_object **values)
{
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++)
        MP_XDECREF(values[i]);
    values_free(values);
}

int mp_dict_values_traverse(mp_dict_keys *dk, mp_object **values, mp_visitproc visit, void *arg)
{
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++) {
        if (values[i]) {
            int r = visit(values[i], arg);
            if (r)
                return r;
        }
    }
    return 0;
}

/* ---- the type's slots -------------------------------------------------------- */

/* Items die in insertion order (a split table's in key order). */
static void dict_dealloc(mp_object *o)
{
    mp_dict *mp = as_dict(o);
    mp_gc_untrack(o);
    if (!mp_trashcan_begin(o))
        return;
    if (mp->ma_values)
        mp_dict_values_free(mp->ma_keys, mp->ma_values);
    keys_decref(mp->ma_keys);
    mp_gc_del(o);
    mp_trashcan_end();
}

/* str keys cannot be part of a cycle, so only other keys are visited. */
static int dict_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_dict *mp = as_dict(o);
    mp_dict_keys *dk = mp->ma_keys;
    if (mp->ma_values)
        return mp_dict_values_traverse(dk, mp->ma_values, visit, arg);
    for (mp_ssize_t i = 0; i < dk->dk_nentries; i++) {
        mp_object *v = *value_slot(mp, i);
        if (!v)
            continue;
        int r = visit(v, arg);
        if (!r && !is_unicode(dk))
            r = visit(general_entries(dk)[i].me_key, arg);
        if (r)
            return r;
    }
    return 0;
}

static int dict_tp_clear(mp_object *o)
{
    mp_dict_clear(o);
    return 0;
}

/* _PyDict_SizeOf: a split table counts its values but not the keys it
 * shares with the class; a combined one counts its keys object. */
static size_t dict_sizeof(mp_object *o)
{
    mp_dict *mp = as_dict(o);
    size_t res = sizeof(mp_dict);
    if (mp->ma_values)
        res += (size_t)shared_keys_usable_size(mp->ma_keys) * sizeof(mp_object *);
    if (mp->ma_keys->dk_refcnt == 1)
        res += keys_size(mp->ma_keys);
    return res;
}

static void dict_repr(mp_object *o, mp_strbuf *out)
{
    if (as_dict(o)->ma_used == 0) {
        mp_strbuf_puts(out, "{}");
        return;
    }
    if (!mp_repr_enter(o)) {
        mp_strbuf_puts(out, "{...}");
        return;
    }
    mp_strbuf_puts(out, "{");
    mp_ssize_t pos = 0;
    mp_object *k, *v;
    for (bool first = true; !out->truncated && mp_dict_next(o, &pos, &k, &v); first = false) {
        if (!first)
            mp_strbuf_puts(out, ", ");
        mp_repr_into(k, out);
        mp_strbuf_puts(out, ": ");
        mp_repr_into(v, out);
    }
    mp_strbuf_puts(out, "}");
    mp_repr_leave();
}

/* dict_equal: the same size, and each key of a maps to an equal value in
 * b. Key and values are held across the comparisons, which may change
 * either dict. */
static int dict_equal(mp_dict *a, mp_dict *b)
{
    if (a->ma_used != b->ma_used)
        return 0;
    for (mp_ssize_t i = 0; i < positions(a); i++) {
        mp_object *key, *aval, *bval;
        mp_ssize_t ix = item_at(a, i, &key, &aval);
        if (ix < 0)
            continue;
        mp_hash_t hash = entry_hash(a->ma_keys, ix);
        MP_INCREF(key);
        MP_INCREF(aval);
        int eq = dict_lookup(b, key, hash, &bval) == DKIX_ERROR ? -1 : bval != NULL;
        if (eq > 0 && bval != aval) {
            MP_INCREF(bval);
            eq = mp_object_richcompare(aval, bval, MP_EQ);
            MP_DECREF(bval);
        }
        MP_DECREF(aval);
        MP_DECREF(key);
        if (eq <= 0)
            return eq;
    }
    return 1;
}

static int dict_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    static const char *const symbols[] = {"<", "<=", "==", "!=", ">", ">="};
    if (op != MP_EQ && op != MP_NE) {
        mp_err_format(MP_ERR_TYPE,
                      "'%s' not supported between instances of 'dict' and 'dict'", symbols[op]);
        return -1;
    }
    int eq = dict_equal(as_dict(a), as_dict(b));
    return eq < 0 ? -1 : eq == (op == MP_EQ);
}

static mp_ssize_t dict_len(mp_object *o) { return as_dict(o)->ma_used; }

static int dict_contains(mp_object *o, mp_object *key) { return mp_dict_contains(o, key); }

static mp_object *dict_iter(mp_object *o) { return mp_dict_iter_keys(o); }

mp_type mp_type_dict = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "dict",
    .tp_basicsize = sizeof(mp_dict), /* 48 */
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = dict_dealloc,
    .tp_traverse = dict_traverse,
    .tp_clear = dict_tp_clear,
    .tp_sizeof = dict_sizeof,
    .tp_richcompare = dict_richcompare,
    .tp_repr = dict_repr,
    .tp_iter = dict_iter,
    .tp_len = dict_len,
    .tp_contains = dict_contains,
};

/* ---- iterators ----------------------------------------------------------------
 * dictiterobject: 56 bytes, 72 with the GC header. */

typedef struct dictiter {
    mp_object ob_base;
    mp_dict *di_dict; /* NULL once exhausted */
    mp_ssize_t di_used; /* the size the dict must keep; -1 after it did not */
    mp_ssize_t di_pos;
    mp_object *di_result; /* the items iterator's tuple, reused while only it holds it */
    mp_ssize_t len;       /* items still to come */
} dictiter;

static mp_object *dict_iter_new(mp_object *d, mp_type *t)
{
    mp_dict *mp = as_dict(d);
    dictiter *it = (dictiter *)mp_gc_new(t);
    if (!it)
        return NULL;
    it->di_dict = (mp_dict *)mp_newref(d);
    it->di_used = mp->ma_used;
    it->di_pos = 0;
    it->len = mp->ma_used;
    it->di_result = NULL;
    if (t == &mp_type_dict_itemiterator && !(it->di_result = mp_tuple_new(2))) {
        MP_DECREF(it);
        return NULL;
    }
    mp_gc_track(MP_OBJ(it));
    return MP_OBJ(it);
}

mp_object *mp_dict_iter_keys(mp_object *d) { return dict_iter_new(d, &mp_type_dict_keyiterator); }
mp_object *mp_dict_iter_values(mp_object *d) { return dict_iter_new(d, &mp_type_dict_valueiterator); }
mp_object *mp_dict_iter_items(mp_object *d) { return dict_iter_new(d, &mp_type_dict_itemiterator); }

/* The next item as borrowed references: true, or false at the end (with
 * RuntimeError set if the dict changed size, or gained keys while keeping
 * its size). */
static bool dict_iter_step(dictiter *it, mp_object **key, mp_object **value)
{
    mp_dict *mp = it->di_dict;
    if (!mp)
        return false;
    if (it->di_used != mp->ma_used) {
        mp_err_set(MP_ERR_RUNTIME, "dictionary changed size during iteration");
        it->di_used = -1; /* stays broken, as in CPython */
        return false;
    }
    mp_ssize_t i = it->di_pos;
    while (i < positions(mp) && item_at(mp, i, key, value) < 0)
        i++;
    if (i < positions(mp)) {
        if (it->len == 0) {
            mp_err_set(MP_ERR_RUNTIME, "dictionary keys changed during iteration");
        } else {
            it->di_pos = i + 1;
            it->len--;
            return true;
        }
    }
    it->di_dict = NULL;
    MP_DECREF(mp);
    return false;
}

static mp_object *dict_keyiter_next(mp_object *o)
{
    mp_object *k, *v;
    return dict_iter_step((dictiter *)o, &k, &v) ? mp_newref(k) : NULL;
}

static mp_object *dict_valueiter_next(mp_object *o)
{
    mp_object *k, *v;
    return dict_iter_step((dictiter *)o, &k, &v) ? mp_newref(v) : NULL;
}

static mp_object *dict_itemiter_next(mp_object *o)
{
    dictiter *it = (dictiter *)o;
    mp_object *k, *v;
    if (!dict_iter_step(it, &k, &v))
        return NULL;
    mp_object *result = it->di_result;
    if (MP_REFCNT(result) == 1) {
        mp_object *oldk = mp_tuple_get_item(result, 0), *oldv = mp_tuple_get_item(result, 1);
        mp_tuple_set_item(result, 0, mp_newref(k));
        mp_tuple_set_item(result, 1, mp_newref(v));
        MP_XDECREF(oldk);
        MP_XDECREF(oldv);
        return mp_newref(result);
    }
    return mp_tuple_pack(2, k, v);
}

static void dict_iter_dealloc(mp_object *o)
{
    dictiter *it = (dictiter *)o;
    mp_gc_untrack(o);
    MP_XDECREF(it->di_dict);
    MP_XDECREF(it->di_result);
    mp_gc_del(o);
}

static int dict_iter_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    dictiter *it = (dictiter *)o;
    int r = it->di_dict ? visit(MP_OBJ(it->di_dict), arg) : 0;
    return r ? r : it->di_result ? visit(it->di_result, arg) : 0;
}

#define DICT_ITER_TYPE(var, name, next)                                                        \
    mp_type var = {                                                                            \
        .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},                                        \
        .tp_name = name,                                                                       \
        .tp_basicsize = sizeof(dictiter),                                                     \
        .tp_flags = MP_TPFLAGS_HAVE_GC,                                                        \
        .tp_dealloc = dict_iter_dealloc,                                                       \
        .tp_traverse = dict_iter_traverse,                                                     \
        .tp_iter = mp_self_iter,                                                               \
        .tp_iternext = next,                                                                   \
    }

DICT_ITER_TYPE(mp_type_dict_keyiterator, "dict_keyiterator", dict_keyiter_next);
DICT_ITER_TYPE(mp_type_dict_valueiterator, "dict_valueiterator", dict_valueiter_next);
DICT_ITER_TYPE(mp_type_dict_itemiterator, "dict_itemiterator", dict_itemiter_next);
