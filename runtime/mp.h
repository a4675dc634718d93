/* mp.h — the one header labs, benchmarks and tests include.
 *
 * memlab's mini-runtime models CPython 3.11's object memory: reference
 * counts, the allocator, and the objects the labs need. Call mp_init()
 * before anything else and mp_fini() at the end; see lifecycle.c.
 */
#ifndef MP_H
#define MP_H

#include "abstract.h"
#include "array.h"
#include "bytes.h"
#include "deque.h"
#include "dict.h"
#include "error.h"
#include "float.h"
#include "gc.h"
#include "gen.h"
#include "instance.h"
#include "int.h"
#include "list.h"
#include "lru.h"
#include "object.h"
#include "obmalloc.h"
#include "pipeline.h"
#include "range.h"
#include "set.h"
#include "site.h"
#include "str.h"
#include "tracemalloc.h"
#include "tuple.h"
#include "weakref.h"
#include "weakvaluedict.h"

/* Py_Initialize: 0, or -1 with the error set. */
int mp_init(void);
/* Py_FinalizeEx: releases everything mp_init made. */
void mp_fini(void);
bool mp_is_initialized(void);

#endif
