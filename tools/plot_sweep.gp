# tools/plot_sweep.gp - the control-unit x SEG_ROWS sweep (tools/sweep.sh):
# energy per image (gated, with the static reference dashed) and the
# data-gated fraction of mapped segment-cycles against the control-unit size,
# one line per SEG_ROWS.
# Usage: gnuplot -e "csv='build/sweep/sweep.csv'; png='build/sweep/sweep.png'" tools/plot_sweep.gp
if (!exists("csv")) csv = 'build/sweep/sweep.csv'
if (!exists("png")) png = 'build/sweep/sweep.png'
sel(s) = sprintf("< awk -F, '$1 ~ /^se-/ && $4 == \"channel\" && $5 == 0 && $6 == \"weight\" && $7 == \"both\" && $2 == %d' %s", s, csv)
set datafile separator ','
set terminal pngcairo size 1200,500 font ',10'
set output png
set multiplot layout 1,2 title 'SE-ResNet-14 (shipped), Fashion-MNIST test images, 256x64 macro, 65 nm profile'
set logscale x 2
set xtics (1, 2, 4, 8)
set xrange [0.8:10]
set xlabel 'control unit (segments)'
set grid
set key bottom right
set ylabel 'energy per image (nJ)'
set yrange [0:*]
plot for [i=1:3] sel(int(word("8 16 32", i))) using 3:15 with linespoints lw 2 pt 7 lc i \
       title sprintf('SEG\_ROWS %s gated', word("8 16 32", i)), \
     for [i=1:3] sel(int(word("8 16 32", i))) using 3:14 with lines dt 2 lw 1 lc i \
       title sprintf('SEG\_ROWS %s static', word("8 16 32", i))
set ylabel 'mapped segment-cycles data-gated'
set yrange [0:1]
set key top right
plot for [i=1:3] sel(int(word("8 16 32", i))) using 3:21 with linespoints lw 2 pt 7 lc i \
       title sprintf('SEG\_ROWS %s', word("8 16 32", i))
unset multiplot
