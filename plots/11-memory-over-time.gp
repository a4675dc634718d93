# caption: Traced memory over a running program in three leak stories: an unbounded cache against lru_cache(maxsize=128); requests kept by a forgotten module-level list against the fixed code; and a big list kept, set to None or deleted while rows are added.
# lab: 11-leaks
# data: labs/11-leaks/memory_over_time.csv
# columns: step calls requests rows ours_unbounded_cache ours_lru_cache ours_leak ours_fixed ours_kept ours_set_none ours_del cpython_unbounded_cache? cpython_lru_cache? cpython_leak? cpython_fixed? cpython_kept? cpython_set_none? cpython_del?
# rows: 3
load 'plots/style.gp'
f = data('labs/11-leaks/memory_over_time.csv')
fig_w = 1500
fig_h = 620
eval figure(out)
set datafile separator tab
kib(c) = column(c) / 1024.0
# CPython's twin of each line: dashed, open markers, no key entry of its own.
twin_of(c, x, s) = twin('cpython_' . c, sprintf("f using '%s':(kib('cpython_%s')) with lines ls %d notitle", x, c, s))
kc = has('cpython_leak') ? twin_key_lines : ''
set multiplot layout 1,3 title 'Leaks and caches: traced memory over time' margins 0.075, 0.98, 0.14, 0.86 spacing 0.07, 0
set ylabel 'traced memory (KiB)'
set yrange [0:*]
set key top left
set format x '%.0s%c'
set title 'a cache of results'
set xlabel 'calls'
c1 = twin_of('unbounded_cache', 'calls', 14)
c2 = twin_of('lru_cache', 'calls', 11)
plot f using 'calls':(kib('ours_unbounded_cache')) with lines ls 4 title 'dict, unbounded' @c1, \
     f using 'calls':(kib('ours_lru_cache')) with lines ls 1 title 'lru_cache(maxsize=128)' @c2 @kc
set title 'requests handled'
set xlabel 'requests'
unset ylabel
c1 = twin_of('leak', 'requests', 14)
c2 = twin_of('fixed', 'requests', 11)
plot f using 'requests':(kib('ours_leak')) with lines ls 4 title 'kept in a module list' @c1, \
     f using 'requests':(kib('ours_fixed')) with lines ls 1 title 'fixed' @c2 @kc
set title 'a big list no longer needed'
set xlabel 'rows added afterwards'
c1 = twin_of('kept', 'rows', 14)
c2 = twin_of('set_none', 'rows', 13)
c3 = twin_of('del', 'rows', 11)
plot f using 'rows':(kib('ours_kept')) with lines ls 4 title 'kept' @c1, \
     f using 'rows':(kib('ours_set_none')) with lines ls 3 lw 5 title 'data = None' @c2, \
     f using 'rows':(kib('ours_del')) with lines ls 1 title 'del data' @c3 @kc
unset multiplot
