# caption: sys.getsizeof of the same n references held as a tuple, as a list made at its size (items[:n]) and as a list grown by append: the tuple holds them inline, the list adds a pointer and a capacity, and appending over-allocates.
# lab: 12-structures
# data: labs/12-structures/tuple_vs_list.csv
# columns: n tuple_ours exact_ours appended_ours tuple_cpython? exact_cpython? appended_cpython?
# rows: 3
load 'plots/style.gp'
f = data('labs/12-structures/tuple_vs_list.csv')
eval figure(out)
set datafile separator tab
set title 'Tuple vs list: bytes for the same n items'
set xlabel 'items (n)'
set ylabel 'sys.getsizeof (bytes)'
set xrange [-0.3:10.3]
set xtics 1
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set key top left
small(c) = column('n') <= 10 ? column(c) : NaN
c1 = twin('appended_cpython', "f using 'n':(small('appended_cpython')) with linespoints ls 14 notitle")
c2 = twin('exact_cpython', "f using 'n':(small('exact_cpython')) with linespoints ls 13 notitle")
c3 = twin('tuple_cpython', "f using 'n':(small('tuple_cpython')) with linespoints ls 11 notitle")
kc = has('tuple_cpython') ? twin_key : ''
plot f using 'n':(small('appended_ours')) with linespoints ls 4 title 'list grown by append' @c1, \
     f using 'n':(small('exact_ours')) with linespoints ls 3 title 'list made at its size' @c2, \
     f using 'n':(small('tuple_ours')) with linespoints ls 1 title 'tuple' @c3 @kc
