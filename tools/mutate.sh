#!/usr/bin/env bash
# tools/mutate.sh - mutation testing of the RTL checks (`make -f Makefile.sim mutate`).
#
#   tools/mutate.sh [-j JOBS] [--only NAME,NAME...] [--all-checks] BUILD
#
# Each file tools/mutations/NAME.mut is one named hardware (or driver) fault: one exact
# search text in one file of the tree and its replacement (format below).
# The runner copies the tree to BUILD/mutate/ (a snapshot: rtl/, csrc/, tb/,
# tests/, constraints/, CMakeLists.txt, Makefile.sim), checks that every
# mutation's search text occurs exactly once in its file (else exit 2: a
# mutation may not rot silently), runs every check on the unmutated copy
# (each must pass, else exit 2), then applies the mutations one at a time
# and runs the checks in this order, stopping at the first that fails
# (= the mutation is killed):
#
#   (lint)     verilator --lint-only -Wall of the rtl/ copy (64x16s8): a
#              mutant that does not lint is malformed, an error, not a kill
#   xcheck     `make -f Makefile.sim xcheck` on the mutated rtl/ copy: the
#              Icarus 4-state bench tb/xcheck_tb.v, both of its geometries
#              (only for mutations of rtl/*), and its X check (cells without
#              reset, X on unused inputs), then tb/check_tb.v (each RTL check
#              broken once must fire, naming its rule); a failure must be the bench's
#              "xcheck: FAIL" or an RTL assertion's "cim_assert: FAIL" (or
#              a timeout), else it is an error
#   includes   tools/include_graph.sh on the snapshot: no include circle
#              between files, modules or rooms, no include from a library
#              room of csrc/ into tb/ or csrc/cli/, nor from tb/ into
#              csrc/cli/ (docs/ARCHITECTURE.md; every mutation, before the build)
#   (build)    a CMake build of the snapshot with SPARSECIM_RTL_DIR = the
#              mutated rtl/ copy and SPARSECIM_TB_ONLY_SMALL=ON (the 64x16s8
#              VCD build only, with ACC_W 24, so that the accumulator's
#              width and sign extension are exercised): targets sparsecim, test_rtl_lines,
#              test_rtl_layers, test_rtl_zf, test_amodel, test_energy, test_json, test_merge,
#              test_cli_opts, test_model, test_model_bad.
#              A mutant that does not build is an error.
#   energy     test_energy (the energy model's known answers: every per-event
#              formula of the derivation table, csrc/power/energy_derive.c; the
#              printed derivation read back equal to the derived table); cheap,
#              so right after the build
#   models     test_model_bad and test_model (the .bnn reader, writer and
#              checks: every refusal with its byte offset, round trips of
#              random models of every kind, versions 1-3); cheap, no RTL
#   clock      `sparsecim run --small` of M.bnn on random:2 with the shim's
#              fast clock path and with SPARSECIM_CLOCK=two-edge: the two
#              JSON reports must be equal but wall_seconds and clock_path
#              (tests/test_rtl_clock.c in short)
#   run-both, run-c2, run-c1, run-none
#              `sparsecim run --small --model M.bnn --data random:2 --count 2
#              --gate G --check-px --quiet`: every result bit-exactly against
#              the reference and every activity counter per layer against
#              the host's array model (csrc/power/amodel.c); M.bnn is a random
#              8-layer SE model made once by the unmutated build. Killed on
#              a non-zero exit status or a non-zero "N mismatches".
#   run-skip   the same with --gate both --skip-channels --dynamic-move
#              --layout aligned (the per-image mappings of the driver; the
#              model's SE gates zero about half the channels)
#   run-is-both, run-is-c2
#              the same run with --stationary input (activations in the
#              cells, each tile's stored-zero flags written with SET_ZF):
#              every dot bit-exactly, every counter against the host model,
#              and the simulation's assertions (a flag over a stored 1)
#   lines      test_rtl_lines (VCD of the local lines vs the counters,
#              gated lines hold), every gate mode
#   layers     test_rtl_layers --filter 'layers/*_small_build' (random conv
#              layers, random grouped / depthwise ones: one job per
#              group, the other groups' rows unmapped; an all-zero input
#              issues no compute when gated; convs with multiplicities:
#              the copies' rows)
#   zf         test_rtl_zf --filter 'zero_flags/*small*' (stored-zero flags:
#              known answer, random tiles and flags, the input-stationary
#              driver with and without flags)
#   amodel     test_amodel (the host array model's two computations of the
#              array cycle equal on random streams, saturation, a known answer)
#   jobs       `sparsecim run` of M.bnn on random:2, 4 images, with --jobs 2
#              and with --jobs 1: the two JSON reports must be equal but
#              wall_seconds (the split run's warm-up, merge and state check);
#              the same for `sim` of those images' golden vectors; then
#              SIGINT to a run --jobs 2 while its workers run: exit status
#              130, its temporary directory empty, no report
#   reports    test_json and test_merge (the reports' JSON on jansson: the
#              reader's refusals, a repeated key among them, and places;
#              the shard fixtures merged equal the single run, each
#              refusal named), no RTL needed
#   opts       test_cli_opts (the option convention of every subcommand:
#              --opt=value as --opt value, prefixes, the one-line refusals
#              naming an ambiguous prefix's candidates, --)
#
# Output: one line per mutation, `mutation NAME: killed by CHECK` or
# `mutation NAME: SURVIVED`, and last `N of M mutations killed`. Exit status:
# 0 every mutation killed, 1 one or more survived, 2 error (a rotten or
# malformed mutation, a check failing on the unmutated tree, a mutant that
# does not build, a tool failing). --all-checks runs every check on every
# mutation (the line then lists all that failed). Logs of every check:
# BUILD/mutate/logs/NAME/CHECK.log; times: BUILD/mutate/summary.txt.
#
# Mutation file format (text; keys at the start of a line):
#   name: NAME            must equal the file name without .mut
#   fault: ...            one line: the hardware fault it stands for
#   file: rtl/FILE.v      the file it patches (rtl/, tb/ or csrc/)
#   search:               the following lines, up to "replace:", are the
#   ...                   search text (whole lines, exact, with indentation)
#   replace:              the following lines, to the end of the file, are
#   ...                   its replacement (may be empty: the lines go)
# A patched .v file gets "/* verilator lint_off UNUSED */" prefixed to its
# first line (same line, so line numbers stay) and its "lint_on UNUSED..."
# pragmas turned into lint_off: a disconnected port leaves a signal unread,
# and the verilated build is -Wall with warnings fatal.
set -u -o pipefail

usage() { sed -n '3p' "$0" | sed 's/^# *//' >&2; exit 2; }
JOBS=2
ONLY=
ALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    -j) JOBS=${2:?}; shift 2 ;;
    --only) ONLY=${2:-}; shift 2 ;;
    --all-checks) ALL=1; shift ;;
    -h|--help) usage ;;
    -*) echo "mutate: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" || exit 2
W=$(cd "$1" && pwd)/mutate
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# a parent make's flags (variables, jobserver) are not for the makes below
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL

# ---- mutation files: parse, check, apply (python3, standard library only) ----
MUT_PY='
import os, re, sys
def parse(path):
    name = os.path.basename(path)[:-4] if path.endswith(".mut") else None
    if name is None:
        sys.exit("mutate: %s: not a .mut file" % path)
    lines = open(path).read().split("\n")
    keys, i = {}, 0
    while i < len(lines) and lines[i] != "search:":
        if ": " in lines[i]:
            k, v = lines[i].split(": ", 1)
            keys[k] = v
        i += 1
    try:
        j = lines.index("replace:", i)
    except ValueError:
        sys.exit("mutate: %s: no \"search:\" / \"replace:\" lines" % path)
    for k in ("name", "fault", "file"):
        if not keys.get(k):
            sys.exit("mutate: %s: no \"%s:\" line" % (path, k))
    if name == "baseline":
        sys.exit("mutate: %s: baseline is the name of the unmutated run" % path)
    if keys["name"] != name:
        sys.exit("mutate: %s: name %s is not the file name" % (path, keys["name"]))
    f = keys["file"]
    if not (f.startswith("rtl/") or f.startswith("tb/") or f.startswith("csrc/")) or ".." in f:
        sys.exit("mutate: %s: file %s is not in rtl/, tb/ or csrc/" % (path, f))
    search = "".join(l + "\n" for l in lines[i + 1:j])
    rep = lines[j + 1:]
    while rep and rep[-1] == "":
        rep.pop()
    replace = "".join(l + "\n" for l in rep)
    if not search.strip():
        sys.exit("mutate: %s: empty search text" % path)
    if search == replace:
        sys.exit("mutate: %s: replacement equals the search text" % path)
    return keys, search, replace
def load(path, tree):
    keys, search, replace = parse(path)
    target = os.path.join(tree, keys["file"])
    try:
        text = open(target).read()
    except OSError as e:
        sys.exit("mutate: %s: %s: %s" % (path, keys["file"], e.strerror))
    n = text.count(search)
    if n != 1:
        sys.exit("mutate: %s: the search text occurs %d times in %s (must be exactly once):\n%s"
                 % (path, n, keys["file"], search))
    return keys, search, replace, target, text
cmd, path = sys.argv[1], sys.argv[2]
if cmd == "field":
    print(parse(path)[0][sys.argv[3]])
elif cmd == "check":
    load(path, sys.argv[3])
elif cmd == "apply":
    keys, search, replace, target, text = load(path, sys.argv[3])
    text = text.replace(search, replace)
    if target.endswith(".v"):
        text = "/* verilator lint_off UNUSED */ " + re.sub(r"verilator(\s+)lint_on(\s+)UNUSED", r"verilator\1lint_off\2UNUSED", text)
    open(target, "w").write(text)
'
mut() { "$PY" -c "$MUT_PY" "$@"; }

# Copies tree SRC to DST by content: changed files get a new mtime, the
# others keep theirs (so a re-run rebuilds only what changed); files not in
# SRC are removed.
SYNC_PY='
import filecmp, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for d, dirs, files in os.walk(src):
    rel = os.path.relpath(d, src)
    out = os.path.normpath(os.path.join(dst, rel))
    os.makedirs(out, exist_ok=True)
    for f in files:
        a, b = os.path.join(d, f), os.path.join(out, f)
        if not os.path.isfile(b) or not filecmp.cmp(a, b, shallow=False):
            shutil.copy(a, b)
for d, dirs, files in os.walk(dst, topdown=False):
    rel = os.path.relpath(d, dst)
    ref = os.path.normpath(os.path.join(src, rel))
    for f in files:
        if not os.path.isfile(os.path.join(ref, f)):
            os.remove(os.path.join(d, f))
    if not os.path.isdir(ref):
        os.rmdir(d)
'
sync_tree() { "$PY" -c "$SYNC_PY" "$1" "$2"; }

# ---- the mutations ----
shopt -s nullglob
ALL_MUTS=("$ROOT"/tools/mutations/*.mut)
[ ${#ALL_MUTS[@]} -gt 0 ] || { echo "mutate: no tools/mutations/*.mut" >&2; exit 2; }
MUTS=()
if [ -n "$ONLY" ]; then
  IFS=', ' read -r -a want <<< "$ONLY"
  for n in "${want[@]}"; do
    [ -n "$n" ] || continue
    [ -f "$ROOT/tools/mutations/$n.mut" ] || { echo "mutate: no mutation $n (tools/mutations/$n.mut)" >&2; exit 2; }
    MUTS+=("$ROOT/tools/mutations/$n.mut")
  done
else
  MUTS=("${ALL_MUTS[@]}")
fi

# ---- snapshot of the tree ----
mkdir -p "$W/src" "$W/rtl" "$W/logs" || exit 2
for d in rtl csrc tb tests constraints; do
  sync_tree "$ROOT/$d" "$W/src/$d" || exit 2
done
for f in CMakeLists.txt Makefile.sim; do
  cmp -s "$ROOT/$f" "$W/src/$f" || cp "$ROOT/$f" "$W/src/$f" || exit 2
done
sync_tree "$W/src/rtl" "$W/rtl" || exit 2
# every mutation (not only those selected) must still apply
for m in "${ALL_MUTS[@]}"; do
  mut check "$m" "$W/src" || exit 2
done

T0=$(date +%s)
SUMMARY=$W/summary.txt
: > "$SUMMARY"
fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# run_check LOGDIR CHECK TIMEOUT CMD...: 0 passes, 1 fails (timeout included).
run_check() {
  local dir=$1 name=$2 limit=$3 t rc
  shift 3
  t=$(date +%s)
  timeout "$limit" bash -c '"$@"' "mutate-$name" "$@" > "$dir/$name.log" 2>&1
  rc=$?
  [ $rc -eq 124 ] && echo "mutate: timeout after ${limit}s" >> "$dir/$name.log"
  printf '  %-10s %-8s rc %3d  %s\n' "$name" "$(fmt_time $(($(date +%s) - t)))" $rc "$dir/$name.log" >> "$SUMMARY"
  RC=$rc
  return $(( rc != 0 ))
}

do_lint() {
  verilator --lint-only -Wall --assert --top-module cim_macro -GROWS=64 -GCOLS=16 -GSEG_ROWS=8 -GCOL_GROUP=4 "$W"/rtl/*.v
}
do_xcheck() {
  (cd "$W/src" && make -f Makefile.sim --no-print-directory xcheck BUILD="$W/xcheck" RTL_SRC="$(echo "$W"/rtl/*.v)")
}
# Verilator's CMake glue takes the list of generated files from its run at
# configure time; a changed RTL may generate other files, so when the RTL
# differs from the last build's, its output goes and configure re-runs it.
do_build() {
  local sum
  sum=$(cat "$W"/rtl/*.v | md5sum)
  if [ "$sum" != "$(cat "$W/build/.mutate-rtl" 2>/dev/null)" ]; then
    rm -rf "$W"/build/CMakeFiles/dut_*.dir/V*.dir "$W/build/.mutate-rtl"
  fi
  cmake -S "$W/src" -B "$W/build" -DSPARSECIM_RTL_DIR="$W/rtl" -DSPARSECIM_TB_ONLY_SMALL=ON &&
    cmake --build "$W/build" -j "$JOBS" --target sparsecim test_rtl_lines test_rtl_layers test_rtl_zf test_amodel \
      test_energy test_json test_merge test_cli_opts test_model test_model_bad &&
    echo "$sum" > "$W/build/.mutate-rtl"
}
do_includes() { sh "$ROOT/tools/include_graph.sh" "$W/src"; }
do_run() { # GATE [EXTRA RUN OPTIONS]
  local out rc g=$1
  shift
  out=$("$W/build/sparsecim" run --small --model "$W/M.bnn" --data random:2 --count 2 --gate "$g" --check-px --quiet "$@" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  [ $rc -eq 0 ] || return $rc
  if ! grep -Eq ' 0 mismatches' <<< "$out" || grep -Eq '[1-9][0-9]* mismatches' <<< "$out"; then
    echo "mutate: mismatches reported"
    return 1
  fi
}
do_jobs() { # --jobs 2 against --jobs 1 (run, and sim of golden vectors): the same report but wall_seconds
  local b="$W/build/sparsecim" a=(run --small --model "$W/M.bnn" --data random:2 --count 4 --quiet)
  rm -rf "$W/jobs1.json" "$W/jobs2.json" "$W/sim1.json" "$W/sim2.json" "$W/jobvec"
  "$b" "${a[@]}" --report "$W/jobs1.json" && "$b" "${a[@]}" --jobs 2 --report "$W/jobs2.json" &&
    diff <(grep -v '"wall_seconds"' "$W/jobs1.json") <(grep -v '"wall_seconds"' "$W/jobs2.json") &&
    "$b" vectors --model "$W/M.bnn" --data random:2 --count 4 --rows 64 --cols 16 --seg-rows 8 -o "$W/jobvec" &&
    "$b" sim --vectors "$W/jobvec" --quiet --report "$W/sim1.json" &&
    "$b" sim --vectors "$W/jobvec" --quiet --jobs 2 --report "$W/sim2.json" &&
    diff <(grep -v '"wall_seconds"' "$W/sim1.json") <(grep -v '"wall_seconds"' "$W/sim2.json") &&
    do_interrupt
}
do_interrupt() { # SIGINT while the workers of run --jobs 2 run: status 130, no temporary file, no report
  local b="$W/build/sparsecim" t="$W/int-tmp" p n=0 st
  rm -rf "$t" "$W/int.json" && mkdir "$t" || return 1
  # its own process group (setsid), so that a hung run and its workers can all be killed
  TMPDIR="$t" setsid "$b" run --small --model "$W/M.bnn" --data random:2 --count 100000 --jobs 2 --quiet \
    --report "$W/int.json" & p=$!
  while [ -z "$(ls "$t")" ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n + 1)); done
  sleep 0.5
  kill -INT $p
  ( sleep 30; kill -KILL -- -$p 2>/dev/null ) & local dog=$!
  wait $p
  st=$?
  kill $dog 2>/dev/null
  kill -KILL -- -$p 2>/dev/null
  [ $st -eq 130 ] || { echo "mutate: interrupted run: exit status $st, not 130"; return 1; }
  [ -z "$(ls -A "$t")" ] || { echo "mutate: interrupted run left $(ls -A "$t")"; return 1; }
  [ ! -e "$W/int.json" ] || { echo "mutate: interrupted run wrote its report"; return 1; }
}
do_clock() { # the fast clock path against two-edge evaluation: the same report but wall_seconds, clock_path
  local b="$W/build/sparsecim" a=(run --small --model "$W/M.bnn" --data random:2 --count 2 --check-px --quiet) rf rt
  rm -f "$W/clock-fast.json" "$W/clock-two.json"
  env -u SPARSECIM_CLOCK "$b" "${a[@]}" --report "$W/clock-fast.json"
  rf=$?
  SPARSECIM_CLOCK=two-edge "$b" "${a[@]}" --report "$W/clock-two.json"
  rt=$?
  [ $rf -eq $rt ] || { echo "mutate: exit status $rf with the fast clock path, $rt with two-edge"; return 1; }
  [ -f "$W/clock-fast.json" ] && [ -f "$W/clock-two.json" ] || { echo "mutate: no report (exit status $rf)"; return 1; }
  grep -q '"clock_path": "fast"' "$W/clock-fast.json" || { echo "mutate: the build has no fast clock path"; return 1; }
  diff <(grep -Ev '"(wall_seconds|clock_path)"' "$W/clock-fast.json") <(grep -Ev '"(wall_seconds|clock_path)"' "$W/clock-two.json")
}
do_test() {
  (cd "$W/build" && SPARSECIM_SRC="$W/src" SPARSECIM_BIN="$W/build" "$@")
}
do_reports() { do_test ./test_json --jobs "$JOBS" && do_test ./test_merge --jobs "$JOBS"; }
do_models() { do_test ./test_model_bad --jobs "$JOBS" && do_test ./test_model --jobs "$JOBS"; }

export W JOBS ROOT
export -f do_lint do_xcheck do_includes do_build do_run do_jobs do_interrupt do_clock do_test do_reports do_models

# checks NAME KIND: runs the checks on the current copy; sets FAILED (the
# checks that failed, in order; the first only unless --all-checks) and ERR
# (a message) when the copy cannot be checked: the RTL does not lint (with
# UNUSED off), the bench did not run, the build or the model failed.
checks() {
  local name=$1 kind=$2 dir=$W/logs/$1 g
  rm -rf "$dir"
  mkdir -p "$dir"
  FAILED=()
  ERR=
  echo "$name:" >> "$SUMMARY"
  if [ "$kind" = rtl ]; then
    run_check "$dir" lint 300 do_lint || { ERR="the RTL does not lint: $dir/lint.log"; return 0; }
    if ! run_check "$dir" xcheck 1800 do_xcheck; then
      # a kill is the bench reporting a failure (or a hang), not a bench that did not run
      if [ $RC -ne 124 ] && ! grep -Eq 'xcheck: FAIL|cim_assert: FAIL' "$dir/xcheck.log"; then
        ERR="xcheck did not run: $dir/xcheck.log"
        return 0
      fi
      FAILED+=(xcheck)
      [ $ALL = 1 ] || return 0
    fi
  fi
  run_check "$dir" includes 120 do_includes || { FAILED+=(includes); [ $ALL = 1 ] || return 0; }
  run_check "$dir" build 3600 do_build || { ERR="the copy does not build: $dir/build.log"; return 0; }
  run_check "$dir" energy 300 do_test ./test_energy --jobs "$JOBS" || { FAILED+=(energy); [ $ALL = 1 ] || return 0; }
  run_check "$dir" models 300 do_models || { FAILED+=(models); [ $ALL = 1 ] || return 0; }
  if [ "$name" = baseline ]; then
    run_check "$dir" model 300 "$W/build/sparsecim" model random --depth 8 --width 8 --se --input 8x8x1 \
      --seed 3 -o "$W/M.bnn" || { ERR="no model: $dir/model.log"; return 0; }
  fi
  run_check "$dir" clock 300 do_clock || { FAILED+=(clock); [ $ALL = 1 ] || return 0; }
  for g in both c2 c1 none; do
    run_check "$dir" "run-$g" 900 do_run $g || { FAILED+=("run-$g"); [ $ALL = 1 ] || return 0; }
  done
  run_check "$dir" run-skip 900 do_run both --skip-channels --dynamic-move --layout aligned ||
    { FAILED+=(run-skip); [ $ALL = 1 ] || return 0; }
  for g in both c2; do
    run_check "$dir" "run-is-$g" 900 do_run $g --stationary input || { FAILED+=("run-is-$g"); [ $ALL = 1 ] || return 0; }
  done
  run_check "$dir" lines 900 do_test ./test_rtl_lines --jobs "$JOBS" || { FAILED+=(lines); [ $ALL = 1 ] || return 0; }
  run_check "$dir" layers 1200 do_test ./test_rtl_layers --jobs "$JOBS" --filter 'layers/*_small_build' ||
    { FAILED+=(layers); [ $ALL = 1 ] || return 0; }
  run_check "$dir" zf 900 do_test ./test_rtl_zf --jobs "$JOBS" --filter 'zero_flags/*small*' ||
    { FAILED+=(zf); [ $ALL = 1 ] || return 0; }
  run_check "$dir" amodel 300 do_test ./test_amodel --jobs "$JOBS" || { FAILED+=(amodel); [ $ALL = 1 ] || return 0; }
  run_check "$dir" jobs 600 do_jobs || { FAILED+=(jobs); [ $ALL = 1 ] || return 0; }
  run_check "$dir" reports 300 do_reports || { FAILED+=(reports); [ $ALL = 1 ] || return 0; }
  run_check "$dir" opts 300 do_test ./test_cli_opts --jobs "$JOBS" || FAILED+=(opts)
  return 0
}

# ---- the unmutated copy: every check must pass ----
checks baseline rtl
if [ -n "$ERR" ]; then
  echo "mutate: unmutated tree: $ERR" >&2
  exit 2
fi
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "mutate: on the unmutated tree ${FAILED[*]} FAILS: $W/logs/baseline/${FAILED[0]}.log" >&2
  exit 2
fi
echo "baseline (no mutation): every check passes (xcheck, includes, energy, models, clock, run-both, run-c2, run-c1, run-none, run-skip, run-is-both, run-is-c2, lines, layers, zf, amodel, jobs, reports, opts)"

# ---- the mutations, one at a time ----
killed=0 survived=0 errors=0
for m in "${MUTS[@]}"; do
  name=$(basename "$m" .mut)
  file=$(mut field "$m" file) || exit 2
  # rtl/ mutations patch the rtl copy ($W/rtl, whose pristine is $W/src/rtl),
  # C mutations the snapshot itself (pristine kept aside)
  if [ "${file#rtl/}" != "$file" ]; then
    kind=rtl copy=$W/$file pristine=$W/src/$file
  else
    kind=c copy=$W/src/$file pristine=$W/pristine.$name
    cp "$copy" "$pristine" || exit 2
  fi
  mut apply "$m" "$([ $kind = rtl ] && echo "$W" || echo "$W/src")" || exit 2
  checks "$name" $kind
  # restore (a plain copy: a new mtime, so the next build sees the change)
  cp "$pristine" "$copy" || exit 2
  [ $kind = rtl ] || rm -f "$pristine"
  if [ -n "$ERR" ]; then
    echo "mutation $name: ERROR: $ERR"
    errors=$((errors + 1))
  elif [ ${#FAILED[@]} -eq 0 ]; then
    echo "mutation $name: SURVIVED"
    survived=$((survived + 1))
  else
    if [ $ALL = 1 ]; then
      echo "mutation $name: killed by ${FAILED[0]}$([ ${#FAILED[@]} -gt 1 ] && echo " (also: ${FAILED[*]:1})")"
    else
      echo "mutation $name: killed by ${FAILED[0]}"
    fi
    killed=$((killed + 1))
  fi
done
echo "mutate: $(fmt_time $(($(date +%s) - T0))) (baseline and ${#MUTS[@]} mutations); per-check times: $SUMMARY"
echo "$killed of ${#MUTS[@]} mutations killed"
[ $errors -eq 0 ] || exit 2
[ $survived -eq 0 ] || exit 1
exit 0
