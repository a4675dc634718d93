# caption: The time of one `x in container` test, by size: a list compares item by item, so its cost grows with n (a miss looks at all n); a set hashes once and stays nearly flat, until its table outgrows the processor's caches.
# lab: 12-structures
# data: labs/12-structures/membership_vs_n.csv
# columns: n+ set_hit_ours+ set_miss_ours+ list_hit_ours+ list_miss_ours+ set_hit_cpython+? set_miss_cpython+? list_hit_cpython+? list_miss_cpython+?
# rows: 3
load 'plots/style.gp'
f = data('labs/12-structures/membership_vs_n.csv')
eval figure(out)
set datafile separator tab
set title 'x in container: set vs list, ns per lookup'
set xlabel 'items in the container (n)'
set ylabel 'ns per lookup'
eval logx
eval logy_plain
eval tight
set key top left
t(c, s) = twin(c . '_cpython', sprintf("f using 'n':'%s_cpython' with linespoints ls %d notitle", c, s))
c1 = t('list_miss', 14)
c2 = t('list_hit', 16)
c3 = t('set_miss', 13)
c4 = t('set_hit', 11)
kc = has('set_hit_cpython') ? twin_key : ''
plot f using 'n':'list_miss_ours' with linespoints ls 4 title 'list, miss' @c1, \
     f using 'n':'list_hit_ours' with linespoints ls 6 title 'list, hit' @c2, \
     f using 'n':'set_miss_ours' with linespoints ls 3 title 'set, miss' @c3, \
     f using 'n':'set_hit_ours' with linespoints ls 1 title 'set, hit' @c4 @kc
