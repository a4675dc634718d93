# caption: Peak traced memory of summing n squares through a list pipeline and through a generator pipeline: the list's peak grows with n, the generator's stays a few hundred bytes.
# lab: 07-generators
# data: labs/07-generators/peak_vs_n.csv
# columns: n+ list_ours+ gen_ours+ list_cpython+? gen_cpython+?
load 'plots/style.gp'
f = data('labs/07-generators/peak_vs_n.csv')
eval figure(out)
set datafile separator tab
set title 'Generators vs lists: peak memory vs n'
set xlabel 'items in the pipeline (n)'
set ylabel 'peak traced memory (bytes)'
eval logx
eval logy
eval tight
set key top left
cl = twin('list_cpython', "f using 'n':'list_cpython' with linespoints ls 14 title 'list pipeline (CPython 3.11)'")
cg = twin('gen_cpython', "f using 'n':'gen_cpython' with linespoints ls 11 title 'generator pipeline (CPython 3.11)'")
plot f using 'n':'list_ours' with linespoints ls 4 title 'list pipeline (ours)' @cl, \
     f using 'n':'gen_ours' with linespoints ls 1 title 'generator pipeline (ours)' @cg
