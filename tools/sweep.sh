#!/bin/bash
# tools/sweep.sh BUILD OUT [COUNT [SET]] - the design-space sweeps (Makefile.sim
# targets `sweep`, SET=design, and `sparsity`, SET=sparsity): the shipped
# models through the verilated macro, bit-exact against the reference on every
# run.
#
# SET=design (default) sweeps
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
# SET=sparsity: how much of the SE model's sparsity reaches the macro, per
# SEG_ROWS: the row layouts channel, tap and aligned, each gated, with the
# dynamic move, with the per-image channel skip, and both; every run is
# compared with ONE named reference, the baseline: the same model in the
# channel layout with gating off (`--no-gating`: hierarchical lines, empty
# segments off, no data gating, no skip), columns baseline_nj,
# saving_vs_baseline, cycles_vs_baseline. Tables in OUT/sweep.md.
# A run with mismatches stops the sweep (exit 1). SWEEP_SEGS (default "8 16
# 32") picks the SEG_ROWS values (each needs its verilated build).
# SWEEP_JOBS (default 1; the Makefile passes JOBS): each run's `--jobs`,
# worker processes over its images; the reports are the same but for
# wall_seconds (test_rtl_jobs), so only the wall_s column changes.
set -euo pipefail
build=${1:-build}
out=${2:-$build/sweep}
count=${3:-100}
set_name=${4:-design}
jobs=${SWEEP_JOBS:-1}
bin=$build/sparsecim
se=vectors/models/se-resnet14-fmnist.bnn
plain=vectors/models/resnet14-fmnist.bnn
mkdir -p "$out/runs"

echo "model,seg_rows,unit,layout,remap,stationary,gate,images,accuracy,mismatches,cycles_per_image,static_cycles_per_image,flat_nj_per_image,static_nj_per_image,gated_nj_per_image,saving_fraction,hierarchy_saving_fraction,fj_per_op,static_fj_per_op,flat_fj_per_op,gated_fraction_data,unmapped_fraction,cycles_saved_fraction,wall_s,skip_channels,dynamic_move,after_se_channels_zeroed,after_se_gated_fraction,after_se_channels_skipped,rows_written_per_image,index_bits_per_image,baseline_nj_per_image,saving_vs_baseline,cycles_vs_baseline" > "$out/sweep.csv"
base_e="" base_c="" # the baseline run's energy (fJ) and cycles per image (SET=sparsity)

# field NAME of the report's "total" object
# a member of the report's "total" object or of its counters, the last one
# named so (one member a line: the report is indented JSON)
total_field() { sed -n '/^  "total": {/,/^  }/{s/^ *"'"$2"'": \([-0-9.e+]*\),*$/\1/p}' "$1" | tail -n 1; }
top_field() { sed -n 's/^  "'"$2"'": \([-0-9.e+a-z]*\),*$/\1/p' "$1" | head -1; }

run() { # NAME MODEL SEG UNIT LAYOUT REMAP(0|1) [EXTRA ARGS]
  local name=$1 model=$2 seg=$3 unit=$4 layout=$5 remap=$6
  shift 6
  local rep="$out/runs/$name.json" csv="$out/runs/$name.csv"
  local args=(--model "$model" --data fashion-mnist:test --count "$count" --geometry "256x64x$seg" --unit "$unit"
              --layout "$layout" --quiet --energy constraints/energy-65nm.txt --report "$rep" --csv "$csv"
              --jobs "$jobs")
  [ "$remap" = 1 ] && args+=(--remap fashion-mnist:train --remap-count 100)
  args+=("$@")
  local st=weight gate=both a skip=0 move=0
  for a in "$@"; do [ "$a" = input ] && st=input; done
  for a in c1 c2 none; do case " $* " in *" --gate $a "*) gate=$a ;; esac; done
  case " $* " in *" --no-gating "*) gate=none ;; esac
  case " $* " in *" --skip-channels "*) skip=1 ;; esac
  case " $* " in *" --dynamic-move "*) move=1 ;; esac
  if ! "$bin" run "${args[@]}" > "$out/runs/$name.log" 2>&1; then
    echo "sweep: $name: run failed or mismatched (see $out/runs/$name.log)" >&2
    tail -3 "$out/runs/$name.log" >&2
    exit 1
  fi
  local images acc mis cyc cys e es ef fop fops fopf gf uf wall
  images=$(top_field "$rep" images); acc=$(top_field "$rep" accuracy); mis=$(top_field "$rep" mismatches)
  wall=$(top_field "$rep" wall_seconds)
  cyc=$(total_field "$rep" cycles); cys=$(total_field "$rep" cycles_static)
  e=$(total_field "$rep" energy_fj); es=$(total_field "$rep" energy_fj_ungated); ef=$(total_field "$rep" energy_fj_flat)
  fop=$(total_field "$rep" fj_per_op); fops=$(total_field "$rep" fj_per_op_ungated); fopf=$(total_field "$rep" fj_per_op_flat)
  gf=$(total_field "$rep" gated_fraction_data); uf=$(total_field "$rep" unmapped_fraction)
  local cz ag cs2 rw ib
  cz=$(total_field "$rep" after_se_channels_zeroed_fraction); ag=$(total_field "$rep" after_se_gated_fraction)
  cs2=$(total_field "$rep" after_se_channels_skipped_fraction); rw=$(total_field "$rep" weight_row_writes)
  ib=$(total_field "$rep" index_bits)
  # the baseline: this run, when it is the sparsity set's reference; else its own static reference
  local be="$es" bc="$cys"
  if [ "$set_name" = sparsity ]; then
    [ "$name" = "${name%_baseline}" ] || { base_e=$e; base_c=$cyc; }
    be=$base_e; bc=$base_c
  fi
  awk -v n="$(basename "$model" .bnn)" -v s="$seg" -v u="$unit" -v l="$layout" -v r="$remap" -v st="$st" -v gt="$gate" \
      -v i="$images" -v a="$acc" -v m="$mis" -v c="$cyc" -v cs="$cys" -v e="$e" -v es="$es" -v ef="$ef" -v f="$fop" \
      -v fs="$fops" -v ff="$fopf" -v g="$gf" -v uf="$uf" -v w="$wall" -v sk="$skip" -v mv="$move" -v cz="${cz:-0}" \
      -v ag="${ag:-0}" -v cs2="${cs2:-0}" -v rw="$rw" -v ib="${ib:-0}" -v be="$be" -v bc="$bc" 'BEGIN {
        printf "%s,%d,%d,%s,%d,%s,%s,%d,%.4f,%d,%.0f,%.0f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.2f,",
        n, s, u, l, r, st, gt, i, a, m, c / i, cs / i, ef / i / 1e6, es / i / 1e6, e / i / 1e6, 1 - e / es, 1 - es / ef,
        f, fs, ff, g, uf, 1 - c / cs, w
        printf "%d,%d,%.4f,%.4f,%.4f,%.1f,%.1f,%.2f,%.4f,%.4f\n", sk, mv, cz, ag, cs2, rw / i, ib / i, be / i / 1e6,
        1 - e / be, 1 - c / bc }' >> "$out/sweep.csv"
  echo "sweep: $name: $(tail -1 "$out/sweep.csv")"
}

segs=${SWEEP_SEGS:-8 16 32}
if [ "$set_name" = sparsity ]; then
  for seg in $segs; do
    run "se_s${seg}_channel_baseline" "$se" "$seg" 1 channel 0 --no-gating
    for layout in channel tap aligned; do
      run "se_s${seg}_${layout}" "$se" "$seg" 1 "$layout" 0
      run "se_s${seg}_${layout}_move" "$se" "$seg" 1 "$layout" 0 --dynamic-move
      run "se_s${seg}_${layout}_skip" "$se" "$seg" 1 "$layout" 0 --skip-channels
      run "se_s${seg}_${layout}_skip_move" "$se" "$seg" 1 "$layout" 0 --skip-channels --dynamic-move
    done
    run "se_s${seg}_aligned_nogating" "$se" "$seg" 1 aligned 0 --no-gating
    run "se_s${seg}_channel_skip_nogating" "$se" "$seg" 1 channel 0 --skip-channels --no-gating
  done
  {
    echo "Baseline (saving and cycles against it): the same model, channel layout, \`--no-gating\` (hierarchical lines, empty segments off, no data gating, no skip), same SEG_ROWS. $count test images, 65 nm, unit 1."
    echo
    echo "| SEG_ROWS | layout | move | skip | gate | nJ/image | vs baseline | vs own static | cycles/image | vs baseline | rows written/image | index bits/image | after SE: zeroed | after SE: data-gated | after SE: not mapped |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    tail -n +2 "$out/sweep.csv" | awk -F, '{ printf "| %d | %s | %s | %s | %s | %.1f | %.1f%% | %.1f%% | %.0f | %.1f%% | %.0f | %.0f | %.1f%% | %.1f%% | %.1f%% |\n",
      $2, $4, $26 ? "dynamic" : "-", $25 ? "on" : "-", $7, $15, 100 * $33, 100 * $16, $11, 100 * $34, $30, $31, 100 * $27, 100 * $28, 100 * $29 }'
  } > "$out/sweep.md"
  cat "$out/sweep.md"
  exit 0
fi
for seg in $segs; do
  for unit in 1 2 4 8; do
    run "se_s${seg}_u${unit}_channel" "$se" "$seg" "$unit" channel 0
  done
  run "se_s${seg}_u1_channel_remap" "$se" "$seg" 1 channel 1
  run "se_s${seg}_u1_tap" "$se" "$seg" 1 tap 0
done
for g in c2 c1 none; do
  run "se_s16_u1_channel_gate_$g" "$se" 16 1 channel 0 --gate "$g"
done
for seg in $segs; do
  run "se_s${seg}_u1_input_stationary" "$se" "$seg" 1 channel 0 --stationary input
done
run "plain_s16_u1_channel" "$plain" 16 1 channel 0
run "plain_s16_u1_channel_remap" "$plain" 16 1 channel 1
cp "$out/runs/se_s16_u1_channel.csv" "$out/layers.csv"

# markdown table (energies per image; saving = gated vs static, hierarchy = static vs flat)
{
  echo "| model | SEG_ROWS | unit | rows | remap | stationary | gate | flat nJ | static nJ | gated nJ | saving | hierarchy | fJ/op | data-gated | unmapped | cycles saved |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  tail -n +2 "$out/sweep.csv" | awk -F, '{ printf "| %s | %d | %d | %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f%% | %.1f%% | %.3f | %.1f%% | %.1f%% | %.1f%% |\n",
    $1, $2, $3, $4, $5 ? "on" : "off", $6 == "input" ? "input (binary convs only)" : "weight", $7, $13, $14, $15, 100 * $16, 100 * $17, $18, 100 * $21, 100 * $22, 100 * $23 }'
} > "$out/sweep.md"
cat "$out/sweep.md"
