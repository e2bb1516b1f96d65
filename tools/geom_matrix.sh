#!/usr/bin/env bash
# tools/geom_matrix.sh - the verilated geometry matrix (`make -f Makefile.sim geom-matrix`).
#
#   tools/geom_matrix.sh BUILD JOBS GEOM... (each ROWSxCOLSxSEG_ROWSxCOL_GROUPxACC_W)
#
# Builds every GEOM into one build tree BUILD (SPARSECIM_TB_ONLY_GEOMS: only
# these, verilated without tracing so that they compile fast; CMAKE_FLAGS
# from the environment are passed on), then for each geometry, stopping at
# the first failure:
#   lint     verilator --lint-only -Wall of rtl/ with its parameters
#   layers   test_rtl_layers layers/random_env_build: 220 random conv
#            layers + classifier, bit-exact against the C reference, P and X
#            of every compute cycle, every layer's 24 counters against the
#            host array model, all-zero inputs skipped
#   macro    test_rtl_macro macro/env_build: the SRAM, every gate mode at
#            units 1 and 4 (acc of ACC_W bits against the host; counters
#            against the host model; C1/C2/SE effects on the counters)
#   net      test_rtl_net net/env_build: a random SE-ResNet-14, gated and
#            ungated, bit-exact and counter-exact; the gated run's static
#            reference = the --no-gating run's RTL counters; channel skip
#   run-*    `sparsecim run --geometry RxCxS` of a random SE-ResNet-8 on
#            random:2 with --check-px in the four gate modes, with the
#            per-image mappings (skip, dynamic move, aligned layout) and
#            input-stationary: 0 mismatches (results and counters)
# Prints one line per geometry with its check times and a total; logs in
# BUILD/geom-logs/. Exit 0 when every check passed, 1 otherwise, 2 on a
# usage or build error. SPARSECIM_SEED (tests/test_util.h) varies the tests'
# seeds.
set -u -o pipefail
[ $# -ge 3 ] || { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$1 JOBS=$2
shift 2
GEOMS=("$@")
mkdir -p "$B/geom-logs" || exit 2
B=$(cd "$B" && pwd)
L=$B/geom-logs
for g in "${GEOMS[@]}"; do
  [[ $g =~ ^[0-9]+x[0-9]+x[0-9]+x[0-9]+x[0-9]+$ ]] || { echo "geom-matrix: '$g': expected ROWSxCOLSxSEG_ROWSxCOL_GROUPxACC_W" >&2; exit 2; }
done
list=$(IFS=';'; echo "${GEOMS[*]}")
t0=$(date +%s)
# shellcheck disable=SC2086
if ! cmake -S "$ROOT" -B "$B" ${CMAKE_FLAGS:-} -DSPARSECIM_TB_ONLY_GEOMS=ON "-DSPARSECIM_TB_GEOMS=$list" > "$L/configure.log" 2>&1 ||
   ! cmake --build "$B" -j "$JOBS" --target sparsecim test_rtl_layers test_rtl_macro test_rtl_net > "$L/build.log" 2>&1; then
  echo "geom-matrix: the build failed: $L/configure.log, $L/build.log" >&2
  tail -20 "$L/build.log" >&2
  exit 2
fi
grep -E 'clock path|falls back' "$L/configure.log" | sed 's/^-- //'
echo "geom-matrix: built ${#GEOMS[@]} geometries in $(($(date +%s) - t0)) s"
"$B/sparsecim" model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o "$B/geom-M.bnn" > "$L/model.log" 2>&1 ||
  { echo "geom-matrix: no model: $L/model.log" >&2; exit 2; }

export SPARSECIM_SRC=$ROOT SPARSECIM_BIN=$B
failed=0
# check GEOMLOG NAME CMD...: runs CMD, appends "NAME Ns" to the line; 1 on failure
check() {
  local log=$1 name=$2 s rc
  shift 2
  s=$(date +%s%N)
  "$@" > "$log/$name.log" 2>&1
  rc=$?
  line+=" $name $(( ($(date +%s%N) - s) / 1000000 ))ms"
  if [ $rc -ne 0 ]; then
    line+=" FAILED ($log/$name.log)"
    return 1
  fi
}
run_clean() { # sparsecim run ... : exit 0 and " 0 mismatches"
  local out
  out=$("$B/sparsecim" run --model "$B/geom-M.bnn" --data random:2 --count 2 --check-px --quiet "$@" 2>&1)
  local rc=$?
  printf '%s\n' "$out"
  [ $rc -eq 0 ] && grep -q ' 0 mismatches' <<< "$out"
}
crit() { # GEOM TEST FILTER: one Criterion test on the build of GEOM, which must run (not skip) and pass
  local out rc
  out=$(SPARSECIM_GEOM=$1 "$B/$2" --jobs 1 --filter "$3" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  [ $rc -eq 0 ] && grep -q 'Tested: 1 | Passing: 1 | Failing: 0 | Crashing: 0' <<< "$out" && ! grep -q 'Skipping' <<< "$out"
}
export B
export -f run_clean
for spec in "${GEOMS[@]}"; do
  IFS=x read -r r c s g a <<< "$spec"
  geo=${r}x${c}x${s}
  log=$L/$spec
  mkdir -p "$log"
  gs=$(date +%s%N)
  line="$spec (rows $r, cols $c, seg_rows $s = $((r / s)) segments, col_group $g, acc_w $a):"
  (check "$log" lint verilator --lint-only -Wall --assert --top-module cim_macro -GROWS="$r" -GCOLS="$c" -GSEG_ROWS="$s" \
      -GCOL_GROUP="$g" -GACC_W="$a" "$ROOT"/rtl/*.v &&
    check "$log" layers crit "$geo" test_rtl_layers 'layers/random_env_build' &&
    check "$log" macro crit "$geo" test_rtl_macro 'macro/env_build' &&
    check "$log" net crit "$geo" test_rtl_net 'net/env_build' &&
    check "$log" run-gates bash -c 'for m in both c2 c1 none; do run_clean --geometry '"$geo"' --gate $m || exit 1; done' &&
    check "$log" run-skip run_clean --geometry "$geo" --skip-channels --dynamic-move --layout aligned &&
    check "$log" run-is run_clean --geometry "$geo" --stationary input
    rc=$?
    echo "$line, $(( ($(date +%s%N) - gs) / 1000000 ))ms"
    exit $rc) || failed=$((failed + 1))
done
echo "geom-matrix: ${#GEOMS[@]} geometries, $failed failed, $(($(date +%s) - t0)) s in all"
[ $failed -eq 0 ]
