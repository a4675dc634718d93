/* dict.h — Python's dict: CPython 3.11's compact, insertion-ordered table.
 *
 * Models CPython 3.11's Objects/dictobject.c and Include/internal/pycore_dict.h.
 * A dict is a 48-byte object (64 with its GC header) pointing at a keys
 * object: an index table and an array of entries in insertion order. A
 * split dict (an instance's __dict__) shares its keys with every instance of
 * the class and keeps its values apart; see dict.c for the layout.
 */
#ifndef MP_DICT_H
#define MP_DICT_H

#include "object.h"
#include "site.h"

/* PyDictKeysObject: the index table and entries; see dict.c. */
typedef struct mp_dict_keys mp_dict_keys;

typedef struct mp_dict {
    mp_object ob_base;
    mp_ssize_t ma_used;      /* items in the dict */
    uint64_t ma_version_tag; /* PEP 509: changes whenever the dict does */
    mp_dict_keys *ma_keys;
    /* A split table's values, indexed like the shared keys' entries (with
     * their insertion order in front, see dict.c); NULL for a combined table,
     * whose values live in the entries. */
    mp_object **ma_values;
} mp_dict;

extern mp_type mp_type_dict;
extern mp_type mp_type_dict_keyiterator;
extern mp_type mp_type_dict_valueiterator;
extern mp_type mp_type_dict_itemiterator;

static inline bool mp_dict_check(const mp_object *o) { return o->ob_type == &mp_type_dict; }

/* PyDict_New: {}, which shares the one empty keys object until the first
 * insertion: sys.getsizeof({}) == 64. */
mp_object *mp_dict_new(void);
/* PyDict_SetItem: d[key] = value. Takes new references to both (a key
 * already present keeps its original key object). -1 with TypeError for an
 * unhashable key, or MemoryError. */
int mp_dict_setitem(mp_object *d, mp_object *key, mp_object *value);
/* PyDict_GetItemWithError: a borrowed reference; NULL with no error set
 * when key is absent, NULL with TypeError when it is unhashable. */
mp_object *mp_dict_getitem(mp_object *d, mp_object *key);
/* PyDict_DelItem: del d[key]; -1 with KeyError (its message the key's
 * repr, as str(KeyError) shows) when absent. */
int mp_dict_delitem(mp_object *d, mp_object *key);
/* PyDict_Contains: 1, 0, or -1 with an error set. */
int mp_dict_contains(mp_object *d, mp_object *key);
mp_ssize_t mp_dict_size(mp_object *d);
/* PyDict_Clear: back to the shared empty keys (sys.getsizeof 64). */
void mp_dict_clear(mp_object *d);
/* PyDict_Next: the item at *pos or after it, in insertion order, as
 * borrowed references (either out pointer may be NULL); false at the end.
 * Start with *pos = 0 and do not change the dict's size meanwhile. */
bool mp_dict_next(mp_object *d, mp_ssize_t *pos, mp_object **key, mp_object **value);

/* iter(d), iter(d.values()), iter(d.items()): new references to iterators
 * that raise RuntimeError if the dict changes size while they run. The
 * items iterator yields (key, value) tuples. */
mp_object *mp_dict_iter_keys(mp_object *d);
mp_object *mp_dict_iter_values(mp_object *d);
mp_object *mp_dict_iter_items(mp_object *d);

/* The shape of a dict's table, for the labs (memlab's own; CPython shows
 * it only through sys.getsizeof). */
typedef struct mp_dict_layout {
    mp_ssize_t table_size; /* slots in the index table (DK_SIZE) */
    int index_bytes;       /* bytes per slot: 1, 2, 4 or 8 */
    int entry_bytes;       /* 16 when every key is a str, 24 otherwise */
    mp_ssize_t usable;     /* entries that can still be appended */
    mp_ssize_t nentries;   /* entries appended, deleted ones included */
    bool split;            /* keys shared with a class, values apart */
    bool shared_empty;     /* the shared keys object of {} */
} mp_dict_layout;

void mp_dict_get_layout(mp_object *d, mp_dict_layout *out);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_dict_new() MP_AT(mp_dict_new())
#define mp_dict_setitem(d, k, v) MP_AT(mp_dict_setitem(d, k, v))
#define mp_dict_iter_keys(d) MP_AT(mp_dict_iter_keys(d))
#define mp_dict_iter_values(d) MP_AT(mp_dict_iter_values(d))
#define mp_dict_iter_items(d) MP_AT(mp_dict_iter_items(d))
#endif

#endif
