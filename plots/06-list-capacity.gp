# caption: A list's allocated capacity as it grows by append: list_resize over-allocates by about an eighth plus a little, so most appends find room and the copies happen on a widening staircase.
# lab: 06-sequences
# data: labs/06-sequences/list_capacity.csv
# columns: length capacity_ours capacity_cpython?
# rows: 10
load 'plots/style.gp'
f = data('labs/06-sequences/list_capacity.csv')
eval figure(out)
set datafile separator tab
set title 'list over-allocation: capacity vs length'
set xlabel 'len(list), growing by append'
set ylabel 'allocated capacity (slots)'
set xrange [0:*]
set yrange [0:*]
set key top left
cp = twin('capacity_cpython', "f using 'length':'capacity_cpython' with steps ls 2 title 'capacity (CPython 3.11)'")
plot f using 'length':'capacity_ours' with steps ls 1 title 'capacity (ours)' @cp, \
     f using 'length':'length' with lines ls 8 lw 1 dt 3 title 'len = capacity'
