# caption: sys.getrefcount(a) after each line of the lab's script: every new name, argument or container slot adds one reference and every del takes one away; the count always includes getrefcount's own argument.
# lab: 01-refcount
# data: labs/01-refcount/refcount_steps.csv
# columns: step python:text ours cpython?
# rows: 3
load 'plots/style.gp'
f = data('labs/01-refcount/refcount_steps.csv')
fig_h = 660
eval figure(out)
set datafile separator tab
set title 'Reference count of the list a, line by line'
set xlabel 'Python line (in order)'
set ylabel 'sys.getrefcount(a)'
set xtics rotate by -30 left
set ytics 1
set yrange [0:*]
set offsets 0.3, 0.8, 1, 0
set bmargin 8
set rmargin 6
set key top right
cp = twin('cpython', "f using 'step':'cpython' with linespoints ls 2 ps 1.4 title 'CPython 3.11'")
plot f using 'step':'ours':xtic(strcol('python')) with linespoints ls 1 ps 1.2 title 'ours' @cp
