#!/usr/bin/env bash
# run.sh - builds every libFuzzer target of tests/fuzz/ (fuzz_TARGET.c) with
# clang (libFuzzer + ASan + UBSan) and runs each, niced, one after the other,
# for FUZZ_SECONDS (default 300) on its committed corpus
# (tests/fuzz/corpus/TARGET/, read only) and its grown corpus
# ($BUILD/fuzz/TARGET/, kept between runs), with its dictionary
# (tests/fuzz/TARGET.dict) when there is one.
#
#   FUZZ_TARGETS=a,b   run only these targets (default: all)
#   FUZZ_SECONDS=N     seconds per target (default 300)
#   FUZZ_RSS_MB=N      memory limit: more is an OOM finding (default 2048)
#   FUZZ_TIMEOUT=N     seconds one input may take: more is a timeout finding (default 10)
#
# Output in $BUILD/fuzz/: the binaries, TARGET/ (grown corpus), TARGET.log,
# TARGET-findings/ (crash-*, leak-*, timeout-*, oom-* inputs). One line per
# target: executions, corpus size, findings. Exit status 1 when a target
# found something (or did not run), 2 when a target does not build.
#
# The library is built with SPARSECIM_FUZZ_NO_CRC: a CRC mismatch of a .bnn
# or a golden-vector file is ignored so that mutated files reach the field
# checks behind the CRC (the CRCs are covered by tests/test_model_bad.c and
# tests/test_vec.c). Needs: clang, libclang-rt-14-dev (libFuzzer), zlib1g-dev,
# libjansson-dev and pkg-config (the reports' JSON).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${BUILD:-$src/build}/fuzz
case "$out" in /*) ;; *) out=$src/$out ;; esac
secs=${FUZZ_SECONDS:-300}
rss=${FUZZ_RSS_MB:-2048}
tmo=${FUZZ_TIMEOUT:-10}
mkdir -p "$out/obj"
# the targets write their input to a fresh temporary directory per input: in memory when possible
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    export TMPDIR=/dev/shm
fi

all=$(cd "$here" && ls fuzz_*.c | sed -n 's/^fuzz_\(.*\)\.c$/\1/p' | grep -v '^util$')
if [ -n "${FUZZ_TARGETS:-}" ]; then
    targets=$(echo "$FUZZ_TARGETS" | tr ',' ' ')
    for t in $targets; do
        echo "$all" | grep -qx "$t" || { echo "fuzz: unknown target '$t' (targets: $(echo $all))" >&2; exit 2; }
    done
else
    targets=$all
fi

# The library once (the library rooms of csrc/, and the report writer and
# reader of csrc/cli/ that `merge` uses, which need no RTL), instrumented
# for coverage; then each
# target links its harness against it.
cflags="-g -O1 -std=c11 -Wall -Wextra -Werror -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
        -DSPARSECIM_FUZZ_NO_CRC -I$src/csrc -I$src/tb -I$here $(pkg-config --cflags jansson)"
libsrc="$(ls "$src"/csrc/*/*.c | grep -v '/csrc/cli/') $src/csrc/cli/cli_report.c $src/csrc/cli/cli_part.c $src/csrc/cli/cli_util.c $here/fuzz_util.c"
objs=
for f in $libsrc; do
    o=$out/obj/$(basename "$f" .c).o
    if [ ! -e "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find "$src/csrc" "$src/tb" "$here" -name '*.h' -newer "$o" | head -n 1)" ]; then
        nice clang $cflags -c "$f" -o "$o" || exit 2
    fi
    objs="$objs $o"
done
rm -f "$out/libfuzzcore.a"
ar rcs "$out/libfuzzcore.a" $objs
for t in $targets; do
    nice clang $cflags -fsanitize=fuzzer "$here/fuzz_$t.c" "$out/libfuzzcore.a" $(pkg-config --libs jansson) -lz -lm -o "$out/fuzz_$t" || exit 2
done

# Larger inputs where the format needs them (a report of the tiny test model is about 80 KB).
max_len() { case "$1" in merge) echo 262144 ;; *) echo 65536 ;; esac; }

status=0
printf '%-12s %12s %8s %8s  %s\n' target executions corpus findings result
for t in $targets; do
    mkdir -p "$out/$t" "$out/$t-findings"
    dict=
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    rc=0
    nice "$out/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -max_len="$(max_len "$t")" \
        -timeout="$tmo" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" $dict \
        -artifact_prefix="$out/$t-findings/" "$out/$t" "$here/corpus/$t" > "$out/$t.log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
    corp=$(grep -oE 'corp: [0-9]+' "$out/$t.log" | tail -n 1 | cut -d' ' -f2 || true)
    nf=$(find "$out/$t-findings" -type f | wc -l)
    res=ok
    if [ "$rc" != 0 ] || [ "$nf" != 0 ]; then
        res="FAILED (status $rc; log $out/$t.log)"
        status=1
    fi
    printf '%-12s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${corp:-?}" "$nf" "$res"
    if [ "$rc" != 0 ]; then
        echo "fuzz: $t: the end of the log:" >&2
        grep -E 'ERROR|SUMMARY|==[0-9]+==|runtime error|deadly signal|Test unit written' "$out/$t.log" | tail -n 12 >&2 || true
    fi
done
if [ "$status" = 0 ]; then
    echo "fuzz: no finding in $secs s per target"
fi
exit "$status"
