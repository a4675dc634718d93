# plots/style.gp — the look every memlab figure shares. A figure script
# loads it first (`load 'plots/style.gp'`), then calls `call 'plots/style.gp'`
# never: this file only sets state and defines the line styles below.
#
# Palette: Okabe & Ito's eight colours, chosen to stay distinct under the
# common colour-vision deficiencies. Style 1 is always "ours" and style 2
# always "CPython", so a reader learns the pair once for every figure.
#
#   ls 1 ours (blue)        ls 2 CPython (vermillion)   ls 3 the system (green)
#   ls 4 orange   ls 5 sky blue   ls 6 reddish purple   ls 7 yellow   ls 8 black
#
# Text is `noenhanced`: names such as list_resize or gc_collect_main print
# as written instead of turning the underscore into a subscript.

set encoding utf8
set termoption noenhanced
set border 3 lw 1 lc rgb '#404040'
set tics nomirror out scale 0.6 textcolor rgb '#202020'
set grid xtics ytics mxtics mytics lw 0.6 lc rgb '#e4e4e4', lw 0.4 lc rgb '#f2f2f2'
set key top left Left reverse noopaque samplen 2.5 spacing 1.15 box lc rgb '#d0d0d0'
set datafile separator ','
set datafile missing 'nan'
set style fill solid 0.85 border -1

set style line 1 lc rgb '#0072B2' lw 2.2 pt 7 ps 0.8
set style line 2 lc rgb '#D55E00' lw 2.2 pt 5 ps 0.8 dt 2
set style line 3 lc rgb '#009E73' lw 2.2 pt 9 ps 0.9 dt 4
set style line 4 lc rgb '#E69F00' lw 2.2 pt 11 ps 0.9
set style line 5 lc rgb '#56B4E9' lw 2.2 pt 13 ps 0.9
set style line 6 lc rgb '#CC79A7' lw 2.2 pt 3 ps 0.9
set style line 7 lc rgb '#F0E442' lw 2.2 pt 1 ps 0.9
set style line 8 lc rgb '#000000' lw 2.2 pt 2 ps 0.9
set style increment user

# The two terminals every figure is drawn with; a figure script calls
# `eval png(out)` / `eval svg(out)` around its plot, or lets plots/draw do it.
font_name = 'DejaVu Sans'
png(path) = sprintf("set terminal pngcairo size 1000,620 font '%s,13' noenhanced; set output '%s'", font_name, path)
svg(path) = sprintf("set terminal svg size 1000,620 dynamic font '%s,13' noenhanced background rgb 'white'; set output '%s'", font_name, path)
