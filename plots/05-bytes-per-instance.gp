# caption: Memory per instance, measured from the allocator (not only sys.getsizeof), by the number of attributes: an instance with a __dict__ pays for the dict too, an instance with __slots__ only for its slots.
# lab: 05-slots
# data: labs/05-slots/bytes_per_instance.csv
# columns: k dict_ours+ dict_cpython+? slots_ours+ slots_cpython+?
# rows: 3
load 'plots/style.gp'
f = data('labs/05-slots/bytes_per_instance.csv')
eval figure(out)
set datafile separator tab
set title '__dict__ vs __slots__: bytes per instance'
set xlabel 'attributes per instance'
set ylabel 'bytes per instance (measured)'
set yrange [0:*]
set xtics 1
set autoscale xfixmin; set autoscale xfixmax
set offsets 0.2, 0.2, graph 0.1, 0
set key top left
cd_ = twin('dict_cpython', "f using 'k':'dict_cpython' with linespoints ls 14 title 'with __dict__ (CPython 3.11)'")
cs_ = twin('slots_cpython', "f using 'k':'slots_cpython' with linespoints ls 11 title 'with __slots__ (CPython 3.11)'")
plot f using 'k':'dict_ours' with linespoints ls 4 title 'with __dict__ (ours)' @cd_, \
     f using 'k':'slots_ours' with linespoints ls 1 title 'with __slots__ (ours)' @cs_
