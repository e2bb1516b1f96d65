#!/bin/bash
# tools/gating_points.sh BUILD OUT COUNT GEOMETRY MODEL.bnn... - accuracy
# against energy for trained models (Makefile.sim target `plot-gating`):
# every model through the verilated macro on the first COUNT Fashion-MNIST
# test images with the per-image channel skip (`run --skip-channels`, channel
# layout, 65 nm), bit-exact against the reference. Its energy is compared
# with the run's own static reference (the same model, --no-gating, no skip:
# docs/SPEC.md §5). The accuracy and the SE zeroed fractions (mean of the
# three stages) are the C reference model's on all 10,000 test images
# (`sparsecim infer`, kept in OUT/runs/NAME.infer and reused while it is
# newer than the model). GATING_JOBS (default 1; the Makefile passes JOBS):
# each run's --jobs (same reports but wall time).
# The family of a model is its file name without the trailing strength
# (ft_skip100h -> ft_skip, ft_zero20 -> ft_zero), else up to the last '_'
# (seg_La -> seg); a name without either is its own family.
# Output: OUT/points.csv (one row per model) and OUT/runs/.
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: tools/gating_points.sh BUILD OUT COUNT GEOMETRY MODEL.bnn..." >&2; exit 2; }
build=$1 out=$2 count=$3 geom=$4
shift 4
bin=$build/sparsecim
mkdir -p "$out/runs"
# a member of the report's "total" object or of its counters, the last one
# named so (one member a line: the report is indented JSON)
total_field() { sed -n '/^  "total": {/,/^  }/{s/^ *"'"$2"'": \([-0-9.e+]*\),*$/\1/p}' "$1" | tail -n 1; }
echo "family,model,accuracy,accuracy_images,se_zeroed_mean,images,mismatches,nj_per_image,static_nj_per_image,saving_vs_static,cycles_per_image,static_cycles_per_image,cycles_saved" > "$out/points.csv"
for model in "$@"; do
  [ -f "$model" ] || { echo "gating_points: $model: no such file" >&2; exit 2; }
  name=$(basename "$model" .bnn)
  if [[ $name =~ ^(.*[^0-9_])_?[0-9]+[a-z]?$ ]]; then fam=${BASH_REMATCH[1]}; else fam=${name%_*}; fi
  rep="$out/runs/$name.json"
  if ! "$bin" run --model "$model" --data fashion-mnist:test --count "$count" --geometry "$geom" --skip-channels \
       --jobs "${GATING_JOBS:-1}" --quiet --energy constraints/energy-65nm.txt --report "$rep" > "$out/runs/$name.log" 2>&1; then
    echo "gating_points: $name: run failed or mismatched (see $out/runs/$name.log)" >&2
    exit 1
  fi
  inf="$out/runs/$name.infer"
  if [ ! -s "$inf" ] || [ "$model" -nt "$inf" ]; then
    "$bin" infer --model "$model" --data fashion-mnist:test > "$inf.part" 2>&1 \
      || { echo "gating_points: $name: infer failed (see $inf.part)" >&2; exit 1; }
    mv "$inf.part" "$inf"
  fi
  # "... accuracy 87.16% (8716/10000), ..." and "SE stage s: 32.1% of channels zeroed ..."
  acc=$(sed -n 's/.*accuracy \([0-9.]*\)% (\([0-9]*\)\/\([0-9]*\)).*/\2 \3/p' "$inf" | awk '{ printf "%.4f", $1 / $2 }')
  nacc=$(sed -n 's/.*accuracy [0-9.]*% ([0-9]*\/\([0-9]*\)).*/\1/p' "$inf")
  z=$(sed -n 's/^SE stage [0-9]: \([0-9.]*\)% .*/\1/p' "$inf" | awk '{ s += $1; n++ } END { printf "%.4f", n ? s / n / 100 : 0 }')
  awk -v f="$fam" -v n="$name" -v a="$acc" -v na="$nacc" -v z="$z" \
      -v i="$(sed -n 's/^  "images": \([0-9]*\),$/\1/p' "$rep")" -v m="$(sed -n 's/^  "mismatches": \([0-9]*\),$/\1/p' "$rep")" \
      -v e="$(total_field "$rep" energy_fj)" -v es="$(total_field "$rep" energy_fj_ungated)" \
      -v c="$(total_field "$rep" cycles)" -v cs="$(total_field "$rep" cycles_static)" 'BEGIN {
        printf "%s,%s,%.4f,%d,%.4f,%d,%d,%.2f,%.2f,%.4f,%.0f,%.0f,%.4f\n", f, n, a, na, z, i, m, e / i / 1e6, es / i / 1e6,
        1 - e / es, c / i, cs / i, 1 - c / cs }' >> "$out/points.csv"
  echo "gating_points: $(tail -1 "$out/points.csv")"
done
