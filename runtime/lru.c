/* lru.c — functools.lru_cache's cache: a dict for lookups, a circular
 * doubly linked list for recency.
 *
 * Models CPython 3.11's Modules/_functoolsmodule.c. Read mp_lru_put
 * first: bounded_lru_cache_wrapper's store, which reuses the evicted link
 * for the new entry instead of freeing one and allocating another.
 *
 * A bounded cache maps each key to a link object (56 bytes, as 3.11's
 * lru_list_elem: header, prev, next, the key's hash, key, result); the
 * links form a ring through the cache's root, oldest first after the
 * root, newest last. An unbounded cache (maxsize=None) maps keys straight
 * to results and keeps no order; maxsize 0 keeps nothing.
 *
 * Invariants:
 *   - Bounded: every link is in the dict and in the ring, the dict holding
 *     one reference to it and the ring another; the dict has at most
 *     maxsize entries.
 *   - hits + misses is the number of lookups since creation or the last
 *     clear.
 *   - The cache object is not CPython's size: it wraps no function and has
 *     no __dict__ or __wrapped__.
 */
#include "lru.h"

#include <stddef.h>

#include "dict.h"
#include "error.h"
#include "gc.h"
#include "internal.h"

typedef struct lru_node {
    struct lru_node *prev, *next;
} lru_node;

typedef struct lru_link {
    mp_object ob_base;
    lru_node node;
    mp_hash_t hash;
    mp_object *key;
    mp_object *result;
} lru_link;

_Static_assert(sizeof(lru_link) == 56, "lru_list_elem is 56 bytes in 3.11");

typedef struct mp_lru {
    mp_object ob_base;
    lru_node root; /* root.next is the least recently used link */
    mp_object *cache;
    mp_ssize_t maxsize;
    mp_ssize_t hits, misses;
} mp_lru;

static mp_lru *as_lru(mp_object *o) { return (mp_lru *)o; }

static lru_link *link_of(lru_node *n) { return (lru_link *)((char *)n - offsetof(lru_link, node)); }

static void link_dealloc(mp_object *o)
{
    lru_link *link = (lru_link *)o;
    MP_XDECREF(link->key);
    MP_XDECREF(link->result);
    mp_object_del(o);
}

static mp_type lru_link_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "functools._lru_list_elem",
    .tp_basicsize = sizeof(lru_link),
    .tp_dealloc = link_dealloc,
};

/* ---- the ring -------------------------------------------------------------- */

static void extract_link(lru_link *link)
{
    link->node.prev->next = link->node.next;
    link->node.next->prev = link->node.prev;
}

static void append_link(mp_lru *c, lru_link *link)
{
    lru_node *last = c->root.prev;
    last->next = &link->node;
    c->root.prev = &link->node;
    link->node.prev = last;
    link->node.next = &c->root;
}

/* lru_cache_unlink_list and lru_cache_clear_list: the ring is emptied
 * first, then its links released oldest first, so code a release runs
 * sees an empty cache. */
static void clear_entries(mp_lru *c)
{
    lru_node *n = c->root.next;
    c->root.next = c->root.prev = &c->root;
    mp_dict_clear(c->cache);
    while (n != &c->root) {
        lru_node *next = n->next;
        MP_DECREF(link_of(n));
        n = next;
    }
}

/* ---- the API ----------------------------------------------------------------- */

mp_object *mp_lru_new(mp_ssize_t maxsize)
{
    mp_object *cache = mp_dict_new();
    if (!cache)
        return NULL;
    mp_lru *c = (mp_lru *)mp_gc_new(&mp_type_lru_cache);
    if (!c) {
        MP_DECREF(cache);
        return NULL;
    }
    c->root.next = c->root.prev = &c->root;
    c->cache = cache;
    c->maxsize = maxsize < 0 ? -1 : maxsize;
    c->hits = c->misses = 0;
    mp_gc_track(MP_OBJ(c));
    return MP_OBJ(c);
}

mp_object *mp_lru_get(mp_object *o, mp_object *key)
{
    mp_lru *c = as_lru(o);
    if (c->maxsize == 0) {
        c->misses++;
        return NULL;
    }
    mp_hash_t hash = mp_object_hash(key);
    if (hash == -1)
        return NULL;
    mp_object *found = mp_dict_getitem_knownhash(c->cache, key, hash);
    if (!found) {
        if (!mp_err_occurred())
            c->misses++;
        return NULL;
    }
    c->hits++;
    if (c->maxsize < 0)
        return found;
    lru_link *link = (lru_link *)found;
    extract_link(link);
    append_link(c, link);
    return link->result;
}

int mp_lru_put(mp_object *o, mp_object *key, mp_object *value)
{
    mp_lru *c = as_lru(o);
    if (c->maxsize == 0)
        return 0;
    mp_hash_t hash = mp_object_hash(key);
    if (hash == -1)
        return -1;
    if (c->maxsize < 0)
        return mp_dict_setitem_knownhash(c->cache, key, hash, value);
    if (mp_dict_getitem_knownhash(c->cache, key, hash))
        return 0;
    if (mp_err_occurred())
        return -1;

    lru_link *link;
    if (mp_dict_size(c->cache) < c->maxsize || c->root.next == &c->root) {
        link = (lru_link *)mp_object_new(&lru_link_type);
        if (!link)
            return -1;
        link->hash = hash;
        link->key = mp_newref(key);
        link->result = mp_newref(value);
        if (mp_dict_setitem_knownhash(c->cache, key, hash, MP_OBJ(link)) < 0) {
            MP_DECREF(link);
            return -1;
        }
        append_link(c, link);
        return 0;
    }

    /* Full: the oldest link leaves the ring and the dict, then comes back
     * carrying the new entry. Its old key and result are released last, so
     * whatever their release runs finds the cache whole. If the dict
     * refuses, the link is dropped and the cache stays one short, as
     * CPython leaves it. */
    link = link_of(c->root.next);
    extract_link(link);
    if (mp_dict_delitem_knownhash(c->cache, link->key, link->hash) < 0) {
        MP_DECREF(link);
        return -1;
    }
    mp_object *oldkey = link->key, *oldresult = link->result;
    link->hash = hash;
    link->key = mp_newref(key);
    link->result = mp_newref(value);
    int r = mp_dict_setitem_knownhash(c->cache, key, hash, MP_OBJ(link));
    if (r < 0)
        MP_DECREF(link);
    else
        append_link(c, link);
    MP_DECREF(oldkey);
    MP_DECREF(oldresult);
    return r;
}

void mp_lru_info(mp_object *o, mp_cache_info *out)
{
    mp_lru *c = as_lru(o);
    out->hits = c->hits;
    out->misses = c->misses;
    out->maxsize = c->maxsize;
    out->currsize = mp_dict_size(c->cache);
}

void mp_lru_clear(mp_object *o)
{
    mp_lru *c = as_lru(o);
    c->hits = c->misses = 0;
    clear_entries(c);
}

/* ---- the type's slots -------------------------------------------------------- */

static void lru_dealloc(mp_object *o)
{
    mp_lru *c = as_lru(o);
    mp_gc_untrack(o);
    clear_entries(c);
    MP_DECREF(c->cache);
    mp_gc_del(o);
}

/* The links are not containers, so the results they hold are visited
 * here; their keys are the dict's. */
static int lru_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_lru *c = as_lru(o);
    for (lru_node *n = c->root.next; n != &c->root; n = n->next) {
        int r = visit(link_of(n)->result, arg);
        if (r)
            return r;
    }
    return visit(c->cache, arg);
}

static int lru_clear(mp_object *o)
{
    clear_entries(as_lru(o));
    return 0;
}

mp_type mp_type_lru_cache = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "functools._lru_cache_wrapper",
    .tp_basicsize = sizeof(mp_lru),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = lru_dealloc,
    .tp_traverse = lru_traverse,
    .tp_clear = lru_clear,
};
