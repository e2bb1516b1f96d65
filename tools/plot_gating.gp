# tools/plot_gating.gp - accuracy against energy per image of trained models
# (tools/gating_points.sh), one point series per training family (the
# penalty: gated segments / skipped channels vs the gate-density "zeros").
# Usage: gnuplot -e "csv='build/gating/points.csv'; png='build/gating/gating.png'" tools/plot_gating.gp
if (!exists("csv")) csv = 'build/gating/points.csv'
if (!exists("png")) png = 'build/gating/gating.png'
families = system(sprintf("tail -n +2 %s | cut -d, -f1 | sort -u | tr '\\n' ' '", csv))
sel(f) = sprintf("< awk -F, '$1 == \"%s\"' %s | sort -t, -k8 -g", f, csv)
set datafile separator ','
set terminal pngcairo size 900,600 font ',10' noenhanced
set output png
if (!exists("geom")) geom = '256x64x8'
set title sprintf('SE-ResNet-14 on the macro (%s, --skip-channels, 65 nm): accuracy vs energy per image; labels: SE channels zeroed', geom)
set xlabel 'energy per image, gated + channel skip (nJ)'
set ylabel 'test accuracy, 10,000 images (%)'
set grid
set key bottom right
plot for [i=1:words(families)] sel(word(families, i)) using 8:(100*$3) with linespoints lw 2 pt 7 ps 1.3 \
       title word(families, i), \
     for [i=1:words(families)] sel(word(families, i)) using 8:(100*$3):(sprintf("%.0f%%", 100*$5)) with labels \
       offset 1.2,0.6 font ',8' notitle
