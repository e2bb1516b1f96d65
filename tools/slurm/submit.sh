#!/bin/bash
# Submits one sparsecim run as a Slurm job array (one shard per task,
# tools/slurm/shard.sbatch) and a merge job after it (tools/slurm/merge.sbatch,
# --dependency=afterok). See --help.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
me=${0##*/}

usage() {
  cat <<EOF
usage: $me --model F.bnn --data SPEC --count N --shards S --out DIR [options] [-- run options...]

Submits \`sparsecim run\` of images OFFSET..OFFSET+N-1 as a Slurm job array of S
tasks (task I: \`run ... --shard I/S --report DIR/shard_I.json\`) and a merge job
that starts when every task has succeeded (--dependency=afterok) and writes
DIR/merged.json (\`sparsecim merge\`: the report of the whole run, equal to one
process's but for wall_seconds). Prints the two job ids.

required:
  --model F.bnn         model file
  --data SPEC           e.g. fashion-mnist:test, idx:IMAGES,LABELS, cifar10:FILE.bin
  --count N             images in the whole run
  --shards S            array tasks (1 <= S <= N), one contiguous block of images each
  --out DIR             output directory (created; refused if it holds a report already)
run options:
  --offset K            first image (default 0)
  --geometry RxCxS      macro geometry (default the run's, 256x64x16)
  --energy FILE         energy profile of the runs and of the merge (default the run's)
  --jobs-per-task C     each task runs \`run --jobs C\` on C CPUs (--cpus-per-task C; default 1)
  -- OPTS...            any further \`sparsecim run\` options, the same for every task
                        (e.g. -- --gate c2 --unit 2 --skip-channels); not --shard, --report,
                        --csv, --waves, --saif, --vectors-out, --jobs, --model, --data, --count,
                        --offset (submit.sh sets them or they need one process)
merge:
  --csv                 the merge writes DIR/merged.csv too
scheduler (passed to sbatch for both jobs):
  --partition P, --time T, --mem M, --account A, --qos Q
  --max-running M       at most M tasks of the array at a time (--array=0-(S-1)%M)
  --sbatch OPT          any other sbatch option (repeatable), e.g. --sbatch --constraint=avx2
other:
  --bin PATH            the sparsecim binary (default \$SPARSECIM, else build/sparsecim of this tree)
  --parsable            print only "ARRAYID MERGEID"
  --dry-run             print the sbatch commands, submit nothing
  -h, --help            this text

Relative paths are resolved by the jobs in the directory this is run from
(sbatch --chdir), so it, the binary, the model and DIR must be on a file system
every node sees at the same path. Files: DIR/shard_I.json (one per task),
DIR/merged.json (and merged.csv), DIR/logs/shard_I.out, DIR/logs/merge.out.
A task that finds mismatches exits 1 and the merge job is cancelled.
Exit status: 0 submitted, 1 sbatch failed, 2 bad usage.
EOF
}

die() { echo "$me: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "option $1 needs a value (see --help)"; }
posint() { case $2 in '' | *[!0-9]* | 0*) die "option $1: expected a positive integer, got '$2'" ;; esac; }

model= data= count= shards= out= offset= geometry= energy= per_task=1 csv= max_running=
bin=${SPARSECIM:-$(cd "$here/../.." && pwd)/build/sparsecim}
parsable= dry=
sb=()
run_extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --model) need "$@"; model=$2; shift 2 ;;
    --data) need "$@"; data=$2; shift 2 ;;
    --count) need "$@"; posint "$1" "$2"; count=$2; shift 2 ;;
    --shards) need "$@"; posint "$1" "$2"; shards=$2; shift 2 ;;
    --out) need "$@"; out=$2; shift 2 ;;
    --offset) need "$@"; case $2 in '' | *[!0-9]*) die "option --offset: expected an integer >= 0, got '$2'" ;; esac
      offset=$2; shift 2 ;;
    --geometry) need "$@"; geometry=$2; shift 2 ;;
    --energy) need "$@"; energy=$2; shift 2 ;;
    --jobs-per-task) need "$@"; posint "$1" "$2"; per_task=$2; shift 2 ;;
    --csv) csv=1; shift ;;
    --partition | --time | --mem | --account | --qos) need "$@"; sb+=("$1=$2"); shift 2 ;;
    --max-running) need "$@"; posint "$1" "$2"; max_running=$2; shift 2 ;;
    --sbatch) need "$@"; sb+=("$2"); shift 2 ;;
    --bin) need "$@"; bin=$2; shift 2 ;;
    --parsable) parsable=1; shift ;;
    --dry-run) dry=1; shift ;;
    --) shift; run_extra=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[ -n "$model" ] || die "--model is required (see --help)"
[ -n "$data" ] || die "--data is required (see --help)"
[ -n "$count" ] || die "--count is required (see --help)"
[ -n "$shards" ] || die "--shards is required (see --help)"
[ -n "$out" ] || die "--out is required (see --help)"
[ "$shards" -le "$count" ] || die "--shards $shards: more shards than the $count images"
[ -f "$model" ] && [ -r "$model" ] || die "--model $model: no such readable file"
[ -x "$bin" ] || die "$bin: not an executable (build it: make -f Makefile.sim build, or give --bin / \$SPARSECIM)"
if [ -n "$energy" ] && [ "$energy" != none ]; then
  [ -f "$energy" ] && [ -r "$energy" ] || die "--energy $energy: no such readable file"
fi
for a in ${run_extra[@]+"${run_extra[@]}"}; do
  case $a in
    --shard | --report | --csv | --waves | --saif | --vectors-out | --jobs | --model | --data | --count | --offset)
      die "run option $a after --: not allowed here (submit.sh sets it; see --help)" ;;
  esac
done
command -v sbatch > /dev/null || [ -n "$dry" ] || die "sbatch: not found (is this a Slurm submit host?)"

# absolute paths for what the job scripts are handed
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
if [ -z "$dry" ]; then
  mkdir -p "$out/logs" || die "--out $out: cannot create"
  for f in "$out"/shard_*.json "$out"/merged.json; do
    [ ! -e "$f" ] || die "--out $out: holds $f of an earlier submission (remove it or use another directory)"
  done
fi
out=$(cd "$out" 2> /dev/null && pwd || echo "$out")
case $out in /*) ;; *) out=$PWD/$out ;; esac

run=(--model "$model" --data "$data" --count "$count")
[ -z "$offset" ] || run+=(--offset "$offset")
[ -z "$geometry" ] || run+=(--geometry "$geometry")
[ -z "$energy" ] || run+=(--energy "$energy")
[ "$per_task" = 1 ] || run+=(--jobs "$per_task")
run+=(${run_extra[@]+"${run_extra[@]}"})
merge=()
[ -z "$csv" ] || merge+=(--csv "$out/merged.csv")
[ -z "$energy" ] || [ "$energy" = none ] || merge+=(--energy "$energy")

array=0-$((shards - 1))${max_running:+%$max_running}
shard_cmd=(sbatch --parsable --chdir="$PWD" --array="$array" --cpus-per-task="$per_task"
  --output="$out/logs/shard_%a.out" ${sb[@]+"${sb[@]}"} "$here/shard.sbatch" "$bin" "$out" "$shards" "${run[@]}")
merge_cmd=(sbatch --parsable --chdir="$PWD" --kill-on-invalid-dep=yes
  --output="$out/logs/merge.out" ${sb[@]+"${sb[@]}"} "$here/merge.sbatch" "$bin" "$out" "$shards"
  ${merge[@]+"${merge[@]}"})

if [ -n "$dry" ]; then
  printf '%q ' "${shard_cmd[@]}"; echo
  printf '%q ' "${merge_cmd[@]:0:4}" "--dependency=afterok:ARRAYID" "${merge_cmd[@]:4}"; echo
  exit 0
fi

jid() { # the job id of sbatch --parsable ("ID" or "ID;CLUSTER")
  local o
  o=$("$@") || return 1
  o=${o%%;*}
  case $o in '' | *[!0-9]*) echo "$me: sbatch printed '$o', not a job id" >&2; return 1 ;; esac
  echo "$o"
}
aid=$(jid "${shard_cmd[@]}") || { echo "$me: sbatch of the shard array failed" >&2; exit 1; }
mid=$(jid "${merge_cmd[@]:0:4}" "--dependency=afterok:$aid" "${merge_cmd[@]:4}") || {
  echo "$me: sbatch of the merge job failed; cancel the array with: scancel $aid" >&2
  exit 1
}
if [ -n "$parsable" ]; then
  echo "$aid $mid"
else
  echo "shards: job array $aid ($shards tasks, ${aid}_0..${aid}_$((shards - 1))) -> $out/shard_I.json, logs $out/logs/shard_I.out"
  echo "merge:  job $mid (after $aid succeeds) -> $out/merged.json${csv:+ and merged.csv}, log $out/logs/merge.out"
fi
