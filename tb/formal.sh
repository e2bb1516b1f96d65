#!/usr/bin/env bash
# formal.sh - the formal gating proof with Yosys (`make -f Makefile.sim formal`).
#
# usage: tb/formal.sh OUTDIR [ROWS COLS SEG_ROWS COL_GROUP ACC_W]
#
# The miter tb/fv_gating.v holds two cim_macro instances, every input
# shared but gate_i: the gated one takes any gate mode (a free input), the
# reference runs with gate_i = 0. What Yosys `sat` proves (-seq 3, checked
# at step 3): from ANY state in which the two agree on the cells, the
# thresholds, the accumulators and the registered outputs, with no array
# cycle in flight (la_valid = 0) - their line levels, C1/C2/SE registers,
# stored-zero flags, lookahead registers and protocol state arbitrary and
# different - whatever operation is presented in cycle 1 (a COMPUTE with any
# input bits, gate mode, control unit, nrows_i, ncols_i, plane, flags) and
# in cycle 2, every result output is equal in cycle 3 (cmp_valid_o, p_o,
# x_o, acc_valid_o, acc_o, bin_o, rd_valid_o, rdata_o), under the host
# protocol and the stored-zero promise (rtl/cim_check.v ASSUME=1 instances); the
# controller's invariants (its asserts) hold in cycle 3 too. Cells,
# thresholds and accumulators are updated by the same logic from the same
# inputs in both, so a run from reset agrees on them before every COMPUTE:
# that step of the argument is by construction, not part of the proof.
#
set -euo pipefail
out=${1:?usage: formal.sh OUTDIR [ROWS COLS SEG_ROWS COL_GROUP ACC_W]}
rows=${2:-16}; cols=${3:-4}; seg=${4:-8}; grp=${5:-2}; accw=${6:-22}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

# prove RTLDIR LOG VCD: runs the proof on the Verilog of RTLDIR; exit status of yosys
eq=""
for ((c = 0; c < cols; c++)); do
  eq="$eq -set-at 1 u_gated.u_acc.g_col[$c].thr_q u_ref.u_acc.g_col[$c].thr_q"
done
for o in p x acc rdata cmp_valid acc_valid rd_valid; do
  eq="$eq -set-at 1 a_$o b_$o"
done
prove() {
  local rtl=$1 log=$2 vcd=$3
  yosys -q -l "$log" -p "
    read_verilog -formal $rtl/*.v $here/tb/fv_gating.v
    chparam -set ROWS $rows -set COLS $cols -set SEG_ROWS $seg -set COL_GROUP $grp -set ACC_W $accw fv_gating
    hierarchy -check -top fv_gating
    setattr -mod -unset keep_hierarchy *
    proc
    flatten
    opt -full
    async2sync
    opt -full
    sat -verify -seq 3 -prove-skip 2 -prove-asserts -set-assumes -set rst_n 1 \
        -set u_gated.cells u_ref.cells $eq -set-at 1 u_gated.la_valid 1'b0 -set-at 1 u_ref.la_valid 1'b0 \
        -show-inputs -dump_vcd $vcd
  " > /dev/null 2>&1
}

geom="ROWS=$rows COLS=$cols SEG_ROWS=$seg COL_GROUP=$grp ACC_W=$accw"
t0=$(date +%s)
if ! prove "$here/rtl" "$out/formal.log" "$out/cex.vcd"; then
  echo "formal: FAIL: $geom: the gated and the ungated macro differ, or the proof did not run: $out/formal.log"
  grep -E 'failed|ERROR' "$out/formal.log" | head -5 || true
  exit 1
fi
t1=$(date +%s)
echo "formal: PASS: $geom: one COMPUTE in any gate mode vs none, from any state with equal cells/thresholds/accumulators/outputs: every result output equal two cycles later: $((t1 - t0)) s"

# the checked negative: gating that drops a segment whose only 1 is on its last row
rm -rf "$out/mut_rtl"
cp -r "$here/rtl" "$out/mut_rtl"
search='        assign seg_zero[s] = ~|in_use[s*SEG_ROWS +: SEG_ROWS];'
grep -qxF "$search" "$out/mut_rtl/cim_sparse_ctrl.v" || { echo "formal: the negative's search text is gone from rtl/cim_sparse_ctrl.v"; exit 2; }
sed -i 's/        assign seg_zero\[s\] = ~|in_use\[s\*SEG_ROWS +: SEG_ROWS\];/        assign seg_zero[s] = ~|in_use[s*SEG_ROWS +: SEG_ROWS-1];/' \
  "$out/mut_rtl/cim_sparse_ctrl.v"
if prove "$out/mut_rtl" "$out/formal_neg.log" "$out/cex_neg.vcd"; then
  echo "formal: FAIL: the proof also passes on an RTL whose gating drops non-zero segments: $out/formal_neg.log"
  exit 1
fi
if ! grep -q 'model found: FAIL' "$out/formal_neg.log"; then
  echo "formal: FAIL: the negative did not fail by a counterexample: $out/formal_neg.log"
  exit 1
fi
t2=$(date +%s)
echo "formal: negative PASS: with a zero flag that ignores a segment's last row the proof fails (counterexample $out/cex_neg.vcd, $((t2 - t1)) s)"
