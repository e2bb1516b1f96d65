#!/bin/bash
# tools/sweep.sh BUILD OUT [COUNT] - the design-space sweep (Makefile.sim target
# `sweep`): the shipped models through the verilated macro, bit-exact against
# the reference on every run, over
#   control unit 1, 2, 4, 8 segments x SEG_ROWS 8, 16, 32 (separate builds),
#   channel-major vs tap-major rows,
#   channel remap ("move") off vs on (calibration: Fashion-MNIST *train*
#   images 0..99; the measured images are test images 0..COUNT-1),
#   the SE model vs the same network without SE (vectors/models/resnet14-fmnist.bnn),
#   weight-stationary vs input-stationary (activations in the cells) for the
#   binary conv layers (OUT/stationary.md).
# Every run's JSON report and CSV go to OUT/runs/; one row per run goes to
# OUT/sweep.csv and OUT/sweep.md; OUT/layers.csv holds the per-layer figures
# of the reference configuration (SEG_ROWS 16, unit 1, channel-major).
# A run with mismatches stops the sweep (exit 1).
set -euo pipefail
build=${1:-build}
out=${2:-$build/sweep}
count=${3:-100}
bin=$build/sparsecim
se=vectors/models/se-resnet14-fmnist.bnn
plain=vectors/models/resnet14-fmnist.bnn
mkdir -p "$out/runs"

echo "model,seg_rows,unit,layout,remap,stationary,images,accuracy,mismatches,cycles_per_image,energy_pj_per_image,ungated_pj_per_image,saving_fraction,fj_per_op,ungated_fj_per_op,gated_fraction,skipped_cycle_fraction,wall_s" > "$out/sweep.csv"

# field NAME of the report's "total" object
total_field() { sed -n '/^  "total": {/{s/.*"'"$2"'": \([-0-9.e+]*\).*/\1/p}' "$1"; }
top_field() { sed -n 's/^  "'"$2"'": \([-0-9.e+a-z]*\),*$/\1/p' "$1" | head -1; }

run() { # NAME MODEL SEG UNIT LAYOUT REMAP(0|1) [EXTRA ARGS]
  local name=$1 model=$2 seg=$3 unit=$4 layout=$5 remap=$6
  shift 6
  local rep="$out/runs/$name.json" csv="$out/runs/$name.csv"
  local args=(--model "$model" --data fashion-mnist:test --count "$count" --geometry "256x64x$seg" --unit "$unit"
              --layout "$layout" --quiet --energy constraints/energy-65nm.txt --report "$rep" --csv "$csv")
  [ "$remap" = 1 ] && args+=(--remap fashion-mnist:train --remap-count 100)
  args+=("$@")
  local st=weight
  [ "${2:-}" = input ] && st=input
  if ! "$bin" run "${args[@]}" > "$out/runs/$name.log" 2>&1; then
    echo "sweep: $name: run failed or mismatched (see $out/runs/$name.log)" >&2
    tail -3 "$out/runs/$name.log" >&2
    exit 1
  fi
  local images acc mis cyc e eu fop fopu gf sk wall
  images=$(top_field "$rep" images); acc=$(top_field "$rep" accuracy); mis=$(top_field "$rep" mismatches)
  cyc=$(top_field "$rep" cycles); wall=$(top_field "$rep" wall_seconds)
  e=$(total_field "$rep" energy_fj); eu=$(total_field "$rep" energy_fj_ungated)
  fop=$(total_field "$rep" fj_per_op); fopu=$(total_field "$rep" fj_per_op_ungated)
  gf=$(total_field "$rep" gated_fraction); sk=$(total_field "$rep" skipped_cycle_fraction)
  awk -v n="$(basename "$model" .bnn)" -v s="$seg" -v u="$unit" -v l="$layout" -v r="$remap" -v st="$st" -v i="$images" \
      -v a="$acc" -v m="$mis" -v c="$cyc" -v e="$e" -v eu="$eu" -v f="$fop" -v fu="$fopu" -v g="$gf" -v k="$sk" \
      -v w="$wall" 'BEGIN { printf "%s,%d,%d,%s,%d,%s,%d,%.4f,%d,%.0f,%.1f,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f,%.2f\n",
        n, s, u, l, r, st, i, a, m, c / i, e / i / 1e3, eu / i / 1e3, 1 - e / eu, f, fu, g, k, w }' >> "$out/sweep.csv"
  echo "sweep: $name: $(tail -1 "$out/sweep.csv")"
}

for seg in 8 16 32; do
  for unit in 1 2 4 8; do
    run "se_s${seg}_u${unit}_channel" "$se" "$seg" "$unit" channel 0
  done
  run "se_s${seg}_u1_channel_remap" "$se" "$seg" 1 channel 1
  run "se_s${seg}_u1_tap" "$se" "$seg" 1 tap 0
done
for seg in 8 16 32; do
  run "se_s${seg}_u1_input_stationary" "$se" "$seg" 1 channel 0 --stationary input
done
run "plain_s16_u1_channel" "$plain" 16 1 channel 0
run "plain_s16_u1_channel_remap" "$plain" 16 1 channel 1
cp "$out/runs/se_s16_u1_channel.csv" "$out/layers.csv"

# markdown table
{
  echo "| model | SEG_ROWS | unit | rows | remap | stationary | pJ/image | ungated pJ/image | saving | fJ/op | gated | skipped |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  tail -n +2 "$out/sweep.csv" | awk -F, '{ printf "| %s | %d | %d | %s | %s | %s | %.0f | %.0f | %.1f%% | %.3f | %.1f%% | %.1f%% |\n",
    $1, $2, $3, $4, $5 ? "on" : "off", $6 == "input" ? "input (binary convs only)" : "weight", $11, $12, 100 * $13, $14, 100 * $16, 100 * $17 }'
} > "$out/sweep.md"
cat "$out/sweep.md"

# weight- vs input-stationary on the same layers (the binary convs s*b*a, s*b*b)
convs() { awk -F, -v n="$count" 'NR > 1 && $1 ~ /^s[0-9]+b[0-9]+[ab]$/ { e += $(NF-6); u += $(NF-4); o += $2 }
  END { printf "%.1f %.1f %.4f", e / n / 1e3, u / n / 1e3, e / o }' "$1"; }
{
  echo "| SEG_ROWS | weight-stationary pJ/image | ungated | fJ/op | input-stationary pJ/image | ungated | fJ/op | IS / WS |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for seg in 8 16 32; do
    read -r we wu wf <<< "$(convs "$out/runs/se_s${seg}_u1_channel.csv")"
    read -r ie iu if_ <<< "$(convs "$out/runs/se_s${seg}_u1_input_stationary.csv")"
    awk -v s="$seg" -v we="$we" -v wu="$wu" -v wf="$wf" -v ie="$ie" -v iu="$iu" -v if_="$if_" 'BEGIN {
      printf "| %d | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f | %.2f |\n", s, we, wu, wf, ie, iu, if_, ie / we }'
  done
} > "$out/stationary.md"
cat "$out/stationary.md"
