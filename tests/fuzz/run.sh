#!/usr/bin/env bash
# run.sh - builds the .bnn loader fuzz target with clang (libFuzzer + ASan +
# UBSan) and runs it, niced, on a copy of the committed corpus for
# FUZZ_SECONDS (default 300). Output: $BUILD/fuzz/ (binary, grown corpus,
# fuzz.log, crash-* artifacts). Exit status non-zero when it found a crash.
#
# The target is built with SPARSECIM_FUZZ_NO_CRC: a CRC mismatch is ignored
# so that mutated files reach the field checks behind the CRC (the CRC
# itself is covered by tests/test_model_bad.c's bit-flip tests).
# Needs: clang, libclang-rt-14-dev (libFuzzer), zlib1g-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${BUILD:-$src/build}/fuzz
case "$out" in /*) ;; *) out=$src/$out ;; esac
secs=${FUZZ_SECONDS:-300}
mkdir -p "$out/corpus"
cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$src/csrc"
clang $flags -DSPARSECIM_FUZZ_NO_CRC "$here/fuzz_model_load.c" "$src"/csrc/bnn_model*.c "$src"/csrc/outfile.c -lz -lm \
    -o "$out/fuzz_model_load"
echo "fuzz: running $out/fuzz_model_load for $secs s on $out/corpus (log: $out/fuzz.log)"
rc=0
nice "$out/fuzz_model_load" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 -timeout=10 \
    -artifact_prefix="$out/" "$out/corpus" > "$out/fuzz.log" 2>&1 || rc=$?
grep -E '^#[0-9]+[[:space:]]+(DONE|pulse)' "$out/fuzz.log" | tail -n 2 || true
grep -E '^stat::' "$out/fuzz.log" || true
if [ "$rc" != 0 ]; then
    echo "fuzz: FAILED (status $rc); the end of the log:" >&2
    tail -n 40 "$out/fuzz.log" >&2
    exit "$rc"
fi
echo "fuzz: no crash in $secs s"
