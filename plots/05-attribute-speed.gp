# caption: Time to read and to write one attribute, for an instance whose attributes live in its (not yet materialized) __dict__, in a materialized dict, or in __slots__.
# lab: 05-slots
# data: labs/05-slots/attribute_speed.csv
# columns: kind:text get_ns_ours+ get_ns_cpython+? set_ns_ours+ set_ns_cpython+?
load 'plots/style.gp'
f = data('labs/05-slots/attribute_speed.csv')
eval figure(out)
set datafile separator tab
set title 'Attribute access: ns per get and per set'
set xlabel 'where the attributes live'
set ylabel 'ns per access'
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set style data histograms
set style histogram clustered gap 1.2
set style fill solid 0.85 border -1
set boxwidth 0.9
stats f using 'get_ns_ours' nooutput
set xrange [-0.6:STATS_records - 0.4]
set xtics scale 0
set key top left
set grid noxtics nomxtics
cg = twin('get_ns_cpython', "f using 'get_ns_cpython' ls 11 fs pattern 4 border rgb '#0072B2' title 'get (CPython 3.11)'")
cs = twin('set_ns_cpython', "f using 'set_ns_cpython' ls 14 fs pattern 5 border rgb '#E69F00' title 'set (CPython 3.11)'")
plot f using 'get_ns_ours':xtic(strcol('kind')) ls 1 title 'get (ours)' @cg, \
     f using 'set_ns_ours' ls 4 title 'set (ours)' @cs
