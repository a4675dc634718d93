# caption: The cost of one operation at the left end of a sequence of n items: list.insert(0, x) and list.pop(0) move every item, so they grow with n; deque.appendleft and popleft stay constant.
# lab: 06-sequences
# data: labs/06-sequences/ops_vs_n.csv
# columns: n+ list_insert0_ns_ours+ list_pop0_ns_ours+ deque_appendleft_ns_ours+ deque_popleft_ns_ours+ list_insert0_ns_cpython+? list_pop0_ns_cpython+? deque_appendleft_ns_cpython+? deque_popleft_ns_cpython+?
load 'plots/style.gp'
f = data('labs/06-sequences/ops_vs_n.csv')
eval figure(out)
set datafile separator tab
set title 'At the left end: list vs deque, ns per operation'
set xlabel 'items in the sequence (n)'
set ylabel 'ns per operation'
eval logx
eval logy_plain
eval tight
set key top left
c1 = twin('list_insert0_ns_cpython', "f using 'n':'list_insert0_ns_cpython' with linespoints ls 14 notitle")
c2 = twin('list_pop0_ns_cpython', "f using 'n':'list_pop0_ns_cpython' with linespoints ls 16 notitle")
c3 = twin('deque_appendleft_ns_cpython', "f using 'n':'deque_appendleft_ns_cpython' with linespoints ls 11 notitle")
c4 = twin('deque_popleft_ns_cpython', "f using 'n':'deque_popleft_ns_cpython' with linespoints ls 13 notitle")
kc = has('list_insert0_ns_cpython') ? twin_key : ''
plot f using 'n':'list_insert0_ns_ours' with linespoints ls 4 title 'list.insert(0, x)' @c1, \
     f using 'n':'list_pop0_ns_ours' with linespoints ls 6 title 'list.pop(0)' @c2, \
     f using 'n':'deque_appendleft_ns_ours' with linespoints ls 1 title 'deque.appendleft(x)' @c3, \
     f using 'n':'deque_popleft_ns_ours' with linespoints ls 3 title 'deque.popleft()' @c4 @kc
