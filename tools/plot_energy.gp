# tools/plot_energy.gp - energy per layer (flat, static and gated references) and the gating
# probability, from the CSV of `sparsecim run --csv` (csrc/power/act.h columns).
# Usage: gnuplot -e "csv='build/demo.csv'; png='build/energy.png'; title='...'" tools/plot_energy.gp
if (!exists("csv")) csv = 'build/demo.csv'
if (!exists("png")) png = 'build/energy.png'
if (!exists("title")) title = 'energy per layer'
set datafile separator ','
set terminal pngcairo size 1400,800 font ',10'
set output png
data = '< grep -v "^total," '.csv
set multiplot layout 2,1 title title
# top: energy per layer (pJ): flat macro, static (hierarchical, no data gating), gated
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'energy, all images of the run (pJ)'
set xtics rotate by -45 scale 0
set key top right
set grid ytics
plot data using (column('energy_fj_flat')/1e3):xtic(1) title 'flat (one bit line of ROWS cells)' lc rgb '#d0d0d0', \
     ''  using (column('energy_fj_ungated')/1e3) title 'static (hierarchical, empty segments off)' lc rgb '#808080', \
     ''  using (column('energy_fj')/1e3) title 'gated (sparse controller)' lc rgb '#2060c0'
# bottom: data-gated fraction of the mapped segment-cycles, cycles saved, saving vs static
set ylabel 'fraction'
set yrange [0:1]
plot data using (column('gated_fraction_data')):xtic(1) title 'mapped segment-cycles data-gated' lc rgb '#30a050', \
     ''  using (1 - column('cycles') / column('cycles_static')) title 'cycles saved by the skip' lc rgb '#e08020', \
     ''  using (column('saving_fraction')) title 'energy saving vs static' lc rgb '#c03030'
unset multiplot
