#!/usr/bin/env bash
# tools/tb_asan.sh - the C testbench under AddressSanitizer and
# UndefinedBehaviorSanitizer (`make -f Makefile.sim tb-asan`).
#
#   tools/tb_asan.sh BUILD
#
# BUILD is a SPARSECIM_SANITIZE=ON, SPARSECIM_TB_ONLY_SMALL=ON build (the
# Makefile target configures it): the driver, `run`, `sim`, the split runs,
# the checker, the activity model and the reports are instrumented; the
# verilated model (64x16x8) is not (tb/tb.cmake). Every flow of the
# testbench runs once on a random SE model: `run` in the four gate modes
# with P and X of every cycle checked, the per-image mappings, input-
# stationary with and without stored-zero flags, the channel remap,
# `--jobs 2` and two shards merged (each equal to the single run), a
# waveform window with SAIF, golden vectors replayed by `sim` (also with --jobs 2), an injected
# mismatch (exit 1, located) and bad input (exit 2); then the Criterion
# suites that run on the small build. A sanitizer report aborts the
# process (-fno-sanitize-recover, ASan's default), so every flow must end
# with its expected exit status and no "runtime error" or "Sanitizer" line.
set -euo pipefail
B=$(cd "${1:?usage: tools/tb_asan.sh BUILD}" && pwd)
S=$B/sparsecim
W=$B/tb-asan
rm -rf "$W"
mkdir -p "$W"
cd "$W"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
n=0
# flow NAME STATUS CMD...: runs CMD, expects exit STATUS, no sanitizer line
flow() {
  local name=$1 want=$2 rc=0
  shift 2
  "$@" > "$name.log" 2>&1 || rc=$?
  if [ "$rc" != "$want" ] || grep -qE 'runtime error|Sanitizer|LeakSanitizer' "$name.log"; then
    echo "tb-asan: FAIL: $name: exit $rc (expected $want): $*" >&2
    tail -n 30 "$name.log" >&2
    exit 1
  fi
  if [ "$want" = 0 ] && grep -q ' mismatches' "$name.log" && ! grep -q ' 0 mismatches' "$name.log"; then
    echo "tb-asan: FAIL: $name: mismatches: $*" >&2
    tail -n 30 "$name.log" >&2
    exit 1
  fi
  n=$((n + 1))
}
# same A B: two reports equal but their wall_seconds lines
same() {
  if ! diff <(grep -v '"wall_seconds"' "$1") <(grep -v '"wall_seconds"' "$2") > /dev/null; then
    echo "tb-asan: FAIL: $1 and $2 differ" >&2
    exit 1
  fi
}
R="run --small --model m.bnn --data random:3 --count 3 --quiet"
flow model 0 "$S" model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o m.bnn
for g in both c2 c1 none; do
  flow "run-$g" 0 "$S" $R --gate "$g" --check-px
done
flow run-unit4 0 "$S" $R --unit 4 --check-px
flow run-nogating 0 "$S" $R --no-gating
flow run-skip 0 "$S" $R --skip-channels --dynamic-move --layout aligned --check-px
flow run-tap 0 "$S" $R --layout tap --no-skip
flow run-is 0 "$S" $R --stationary input --check-px
flow run-is-c2 0 "$S" $R --stationary input --gate c2 --no-zero-flags
flow model28 0 "$S" model random --depth 8 --width 8 --se --input 28x28x1 --seed 4 -o m28.bnn
flow run-remap 0 "$S" run --small --model m28.bnn --data fashion-mnist:test --count 1 --quiet --remap fashion-mnist:train \
  --remap-count 4
flow run-single 0 "$S" $R --skip-channels --report one.json --csv one.csv
flow run-jobs 0 "$S" $R --skip-channels --jobs 2 --report two.json --csv two.csv
same one.json two.json
same one.csv two.csv
flow run-shard0 0 "$S" $R --skip-channels --shard 0/2 --report s0.json
flow run-shard1 0 "$S" $R --skip-channels --shard 1/2 --jobs 2 --report s1.json
flow merge 0 "$S" merge s1.json s0.json -o merged.json
same one.json merged.json
flow run-waves 0 "$S" $R --waves w.vcd --window 100:900 --saif w.saif
flow vectors 0 "$S" vectors --model m.bnn --data random:3 --count 2 --rows 64 --cols 16 --seg-rows 8 -o vec
flow sim 0 "$S" sim --vectors vec --report sim.json
flow sim-c2 0 "$S" sim --vectors vec --gate c2 --unit 2
flow sim-j1 0 "$S" sim --vectors vec --report sim1.json --csv sim1.csv
flow sim-jobs 0 "$S" sim --vectors vec --jobs 2 --report sim2.json --csv sim2.csv
same sim1.json sim2.json
same sim1.csv sim2.csv
flow inject 1 "$S" $R --inject s0b0a:5
grep -q 'mismatch' inject.log || { echo "tb-asan: FAIL: the injected mismatch was not reported" >&2; exit 1; }
flow bad-model 2 "$S" run --small --model nope.bnn --data random:1
flow bad-shard 2 "$S" $R --shard 2/2
flow bad-merge 2 "$S" merge s0.json s0.json -o bad.json
cd "$B"
export SPARSECIM_BIN=$B
SPARSECIM_SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$B/CMakeCache.txt")
export SPARSECIM_SRC
# a suite (or a filter that matches nothing) that tests nothing fails
ran_some() { grep -qE 'Tested: [1-9]' "$1.log" || { echo "tb-asan: FAIL: $1: no test ran" >&2; exit 1; }; }
flow test-lines 0 ./test_rtl_lines --jobs 1
ran_some test-lines
flow test-layers 0 ./test_rtl_layers --jobs 1 --filter 'layers/random_small_build'
ran_some test-layers
flow test-zf 0 ./test_rtl_zf --jobs 1 --filter 'zero_flags/*small*'
ran_some test-zf
echo "tb-asan: PASS: $n flows and suites under ASan + UBSan (testbench instrumented, verilated 64x16x8 model not): no sanitizer report, results and counters exact, split runs equal the single run"
