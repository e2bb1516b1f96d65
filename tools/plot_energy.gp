# tools/plot_energy.gp - energy per layer, gated vs ungated, and the gating
# probability, from the CSV of `sparsecim run --csv` (csrc/act.h columns).
# Usage: gnuplot -e "csv='build/demo.csv'; png='build/energy.png'; title='...'" tools/plot_energy.gp
if (!exists("csv")) csv = 'build/demo.csv'
if (!exists("png")) png = 'build/energy.png'
if (!exists("title")) title = 'energy per layer'
set datafile separator ','
set terminal pngcairo size 1400,800 font ',10'
set output png
data = '< grep -v "^total," '.csv
set multiplot layout 2,1 title title
# top: energy per layer (pJ), gated and ungated
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'energy, all images of the run (pJ)'
set xtics rotate by -45 scale 0
set key top right
set grid ytics
plot data using (column('ungated_total_fj')/1e3):xtic(1) title 'ungated' lc rgb '#b0b0b0', \
     ''  using (column('total_fj')/1e3) title 'gated (sparse controller)' lc rgb '#2060c0'
# bottom: gating probability and skipped cycles per layer
set ylabel 'fraction'
set yrange [0:1]
plot data using (column('gated_fraction')):xtic(1) title 'segment-cycles gated' lc rgb '#30a050', \
     ''  using (column('skipped_cycle_fraction')) title 'compute cycles skipped' lc rgb '#e08020', \
     ''  using (column('saving_fraction')) title 'energy saving' lc rgb '#c03030'
unset multiplot
