# caption: Observers still alive after each round of a subject that notifies them; every round drops the observers it made. Held strongly, the dropped ones live on in the subject's list (the observer leak), even after the program drops them all; held by weak references, or unsubscribed by hand, they go at once.
# lab: 09-weakref
# data: labs/09-weakref/observers_live.csv
# columns: step strong_ours weak_ours cleanup_ours strong_cpython? weak_cpython? cleanup_cpython?
# rows: 3
load 'plots/style.gp'
f = data('labs/09-weakref/observers_live.csv')
eval figure(out)
set datafile separator tab
set title 'The observer leak: live observers, strong vs weak references'
set xlabel 'round (each drops the observers of the round before and makes new ones)'
set ylabel 'observers alive'
set yrange [0:*]
set autoscale xfixmin; set autoscale xfixmax
set offsets 0.3, 0.5, graph 0.1, 0
# The last row is after the program dropped every observer it held.
stats f using 'step' nooutput
last = STATS_max
round(c) = column(c) == last ? 'all dropped' : sprintf('%d', column(c))
set key top left
c1 = twin('strong_cpython', "f using 'step':'strong_cpython' with linespoints ls 14 notitle")
c2 = twin('weak_cpython', "f using 'step':'weak_cpython' with linespoints ls 11 notitle")
c3 = twin('cleanup_cpython', "f using 'step':'cleanup_cpython' with linespoints ls 13 ps 1.6 notitle")
kc = has('strong_cpython') ? twin_key : ''
plot f using 'step':'strong_ours':xtic(round('step')) with linespoints ls 4 title 'strong references' @c1, \
     f using 'step':'cleanup_ours' with linespoints ls 3 ps 1.4 title 'strong, unsubscribed by hand' @c3, \
     f using 'step':'weak_ours' with linespoints ls 1 title 'weakref.ref with a callback' @c2 @kc
