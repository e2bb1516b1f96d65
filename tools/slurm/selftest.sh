#!/bin/bash
# make -f Makefile.sim slurm-test: a real single-node Slurm on localhost,
# configured and started here in a temporary directory (munged with its own
# key and socket, slurmctld, slurmd; SlurmUser the current user), a job array
# of S shards of N Fashion-MNIST test images through tools/slurm/submit.sh,
# its merge job, and the merged report checked against one process's `run` of
# the same images: the JSON and the CSV equal byte for byte but the
# wall_seconds lines (as tests/test_rtl_jobs.c compares them). The daemons are
# always shut down and the directory removed; on failure the logs are kept in
# BUILD/slurm-test-logs/ and their tails printed.
#
#   tools/slurm/selftest.sh BUILD
#
# Environment: SLURM_TEST_COUNT (40), SLURM_TEST_SHARDS (4), SLURM_TEST_PORT
# (first of the port pair tried, 16817; the next free pair up to 100 above is
# taken), SLURM_TEST_TIMEOUT (seconds for the jobs, 900), SLURM_TEST_LOGS (where the
# logs of a failure go, BUILD/slurm-test-logs).
# Needs: make -f Makefile.sim deps-slurm (munge slurmctld slurmd slurm-client).
# Exit status: 0 PASS, 1 a check failed, 2 bad usage or setup.
set -euo pipefail

me=slurm-test
[ $# -eq 1 ] || { echo "usage: $0 BUILD" >&2; exit 2; }
cd "$(dirname "$0")/../.."
build=$(cd "$1" 2> /dev/null && pwd) || { echo "$me: $1: no build directory" >&2; exit 2; }
bin=$build/sparsecim
model=vectors/models/se-resnet14-fmnist.bnn
data=fashion-mnist:test
count=${SLURM_TEST_COUNT:-40}
shards=${SLURM_TEST_SHARDS:-4}
port0=${SLURM_TEST_PORT:-16817}
timeout=${SLURM_TEST_TIMEOUT:-900}
keep=${SLURM_TEST_LOGS:-$build/slurm-test-logs}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

for c in munged mungekey munge unmunge slurmctld slurmd sbatch sinfo squeue scontrol scancel; do
  command -v "$c" > /dev/null || { echo "$me: $c not found: run make -f Makefile.sim deps-slurm" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "$me: $bin not built" >&2; exit 2; }
[ -f "$model" ] || { echo "$me: $model missing" >&2; exit 2; }

# the log directory of a failed run: replaced only if an earlier run made it
if [ -e "$keep" ] && [ ! -e "$keep/.sparsecim-slurm-test" ]; then
  echo "$me: SLURM_TEST_LOGS=$keep exists and was not made by this test: not replacing it" >&2
  exit 2
fi
T=
pass=
pids=() # daemons started here: name:pid
# nothing of a real cluster's client settings (SBATCH_PARTITION, an outer job's SLURM_*)
unset $(compgen -e | grep -E '^(SBATCH|SALLOC|SRUN|SLURM|SQUEUE|SINFO)_') 2> /dev/null || true

# Kills pid $2 if it still is program $1 (TERM, then KILL after 10 s).
stop_pid() {
  local name=$1 pid=$2 i
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 0
  case $(cat "/proc/$pid/comm" 2> /dev/null) in "$name"*) ;; *) return 0 ;; esac
  kill -TERM "$pid" 2> /dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || return 0; sleep 0.2; done
  echo "$me: $name (pid $pid) did not stop on TERM: KILL" >&2
  kill -KILL "$pid" 2> /dev/null || true
}

cleanup() {
  local rc=$? p i
  set +e
  trap - EXIT INT TERM HUP
  if [ -f "$T/slurm.conf" ] && [ ${#pids[@]} -gt 0 ]; then
    if [ -z "$pass" ]; then # a job step outlives slurmd by design: cancel and let them end first
      scancel --quiet $(squeue -h -o %A 2> /dev/null) 2> /dev/null
      for i in $(seq 60); do
        [ -n "$(timeout 5 squeue -h -o %A 2> /dev/null)" ] || break
        sleep 0.5
      done
    fi
    timeout 20 scontrol shutdown > /dev/null 2>&1
    for i in $(seq 50); do
      alive=
      for p in "${pids[@]}"; do case $p in slurm*) kill -0 "${p#*:}" 2> /dev/null && alive=1 ;; esac; done
      [ -n "$alive" ] || break
      sleep 0.2
    done
  fi
  for p in ${pids[@]+"${pids[@]}"}; do
    case $p in munged:*) ;; *) stop_pid "${p%%:*}" "${p#*:}" ;; esac
  done
  # anything left of this cluster (a job step, a job's processes): the environment names our slurm.conf
  left=
  for e in /proc/[0-9]*/environ; do
    p=${e#/proc/}
    p=${p%/environ}
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    case " ${pids[*]} " in *":$p "*) continue ;; esac
    grep -qzxF "SLURM_CONF=$T/slurm.conf" "$e" 2> /dev/null && left="$left $p"
  done
  if [ -n "$left" ]; then
    echo "$me: killing what is left of the test cluster: pids$left" >&2
    kill -KILL $left 2> /dev/null
  fi
  for p in ${pids[@]+"${pids[@]}"}; do
    case $p in munged:*) stop_pid munged "${p#*:}" ;; esac
  done
  wait 2> /dev/null
  if [ -z "$pass" ]; then
    [ "$rc" -ne 0 ] || rc=1
    mkdir -p "$keep"
    touch "$keep/.sparsecim-slurm-test"
    cp -r "$T/log" "$T/slurm.conf" "$keep/" 2> /dev/null
    [ -d "$T/out/logs" ] && cp -r "$T/out/logs" "$keep/jobs"
    [ -d "$T/bad/logs" ] && cp -r "$T/bad/logs" "$keep/jobs-mismatch"
    for f in "$keep"/log/* "$keep"/jobs*/*; do
      [ -s "$f" ] || continue
      case $f in # slurmctld/slurmd -D write their log file and stderr alike
        */slurm*.out) [ -s "${f%.out}.log" ] && continue ;;
      esac
      echo "---- tail of $f"
      tail -n 15 "$f"
    done
    echo "$me: FAIL (exit $rc); logs kept in $keep" >&2
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

T=$(mktemp -d "${TMPDIR:-/tmp}/sparsecim-slurm.XXXXXX")
chmod 755 "$T" # munged wants every directory above its socket searchable by all
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/out"
rm -rf "$keep"
export SLURM_CONF=$T/slurm.conf

fail() { echo "$me: $*" >&2; exit 1; }
alive() { # every daemon started so far still runs
  local p
  for p in "${pids[@]}"; do
    kill -0 "${p#*:}" 2> /dev/null || fail "${p%%:*} (pid ${p#*:}) died; see its log"
  done
}

# ---- the single-process run the merged report must equal ----
t0=$(now)
"$bin" run --model "$model" --data "$data" --count "$count" --quiet \
  --report "$T/single.json" --csv "$T/single.csv" > "$T/log/single.out" 2>&1 ||
  fail "single run failed (exit $?): $(tail -n 3 "$T/log/single.out")"
t_single=$(secs "$t0" "$(now)")

# ---- a free port pair on localhost ----
busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
port=$port0
while busy "$port" || busy $((port + 1)); do
  port=$((port + 2))
  [ "$port" -le $((port0 + 100)) ] || fail "no free port pair in $port0..$((port0 + 101))"
done

# ---- munge: own key, socket, pid, log ----
t0=$(now)
mungekey --create --keyfile="$T/munge/munge.key" > "$T/log/mungekey.out" 2>&1 ||
  fail "mungekey failed: $(cat "$T/log/mungekey.out")"
chmod 400 "$T/munge/munge.key"
sock=$T/munge/munge.socket
munged --foreground --socket="$sock" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/log/munged.log" --seed-file="$T/munge/munged.seed" > "$T/log/munged.out" 2>&1 &
pids+=("munged:$!")
for i in $(seq 100); do [ -S "$sock" ] && break; alive; sleep 0.1; done
munge -n -S "$sock" | unmunge -S "$sock" > /dev/null 2>&1 || fail "munge cannot encode and decode a credential"

# ---- slurm.conf: one node, localhost, nothing outside $T ----
user=$(id -un)
node=$(slurmd -C | sed -n 's/^NodeName=[^ ]* /NodeName=localhost /p') || fail "slurmd -C failed"
[ -n "$node" ] || fail "slurmd -C printed no node line"
cat > "$T/slurm.conf" << EOF
# made by tools/slurm/selftest.sh for one test; removed after it
ClusterName=sparsecim-test
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$T/slurm.conf" > "$T/log/slurmctld.out" 2>&1 &
pids+=("slurmctld:$!")
slurmd -D -N localhost -f "$T/slurm.conf" > "$T/log/slurmd.out" 2>&1 &
pids+=("slurmd:$!")
state=
while :; do
  alive
  state=$(sinfo -h -n localhost -o %T 2> /dev/null || true)
  [ "$state" = idle ] && break
  [ "$(secs "$t0" "$(now)" | cut -d. -f1)" -lt 60 ] || fail "node localhost not idle after 60 s (sinfo: '${state:-no answer}')"
  sleep 0.2
done
t_daemons=$(secs "$t0" "$(now)")

# Waits for job $1 to end; sets st to its state.
wait_job() {
  local t=$(now)
  st=
  while :; do
    alive
    # a job that has left the controller's memory is asked again (st empty)
    st=$(scontrol show job -o "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p') || st=
    case $st in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) return 0 ;;
    esac
    [ "$(secs "$t" "$(now)" | cut -d. -f1)" -lt "$timeout" ] || fail "job $1 not done after $timeout s (state ${st:-?})"
    sleep 0.5
  done
}
# Waits until no task of array $1 is pending or running (the merge job
# may be cancelled as soon as one task fails, before the others end).
wait_array() {
  local t=$(now)
  while scontrol show job -o "$1" 2> /dev/null | grep -qE 'JobState=(PENDING|CONFIGURING|RUNNING|COMPLETING)'; do
    alive
    [ "$(secs "$t" "$(now)" | cut -d. -f1)" -lt "$timeout" ] || fail "array $1 not done after $timeout s"
    sleep 0.5
  done
}
# The array's tasks as "ID:STATE ..." in task order.
task_states() {
  scontrol show job -o "$1" | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\).*/\1:\2/p' | sort -n | tr '\n' ' '
}

# ---- the job array and the merge job ----
t0=$(now)
ids=$(tools/slurm/submit.sh --bin "$bin" --model "$model" --data "$data" --count "$count" \
  --shards "$shards" --out "$T/out" --csv --parsable) || fail "submit.sh failed"
aid=${ids% *} mid=${ids#* }
wait_job "$mid"
wait_array "$aid"
t_jobs=$(secs "$t0" "$(now)")
tasks=$(task_states "$aid") || fail "scontrol show job $aid failed"
echo "$me: array job $aid tasks (id:state): $tasks; merge job $mid: $st"
[ "$st" = COMPLETED ] || fail "merge job $mid ended $st"
n_ok=$(printf '%s\n' $tasks | grep -c ':COMPLETED$' || true)
[ "$n_ok" = "$shards" ] || fail "$n_ok of $shards array tasks COMPLETED"

# ---- merged = single, but wall_seconds ----
for ext in json csv; do
  a=$T/single.$ext b=$T/out/merged.$ext
  [ -s "$b" ] || fail "no $b"
  if ! cmp -s <(grep -v '"wall_seconds"' "$a") <(grep -v '"wall_seconds"' "$b"); then
    diff <(grep -v '"wall_seconds"' "$a") <(grep -v '"wall_seconds"' "$b") | head -n 20 || true
    fail "merged.$ext differs from the single run's"
  fi
done
# ---- and a merge of too few shards is refused ----
set +e
msg=$("$bin" merge $(seq -f "$T/out/shard_%g.json" 0 $((shards - 2))) -o "$T/short.json" 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] && [ ! -e "$T/short.json" ] || fail "merge of $((shards - 1)) of $shards shards: exit $rc, not 2: $msg"

echo "$me: merge of $((shards - 1)) of $shards shards refused (exit 2): $msg"

# ---- a task that finds a mismatch fails, keeps its report, and the merge job is cancelled ----
ids=$(tools/slurm/submit.sh --bin "$bin" --model "$model" --data "$data" --count 2 --shards 2 \
  --out "$T/bad" --parsable -- --inject fc:3 --max-mismatch 0) || fail "submit.sh (mismatch case) failed"
aid=${ids% *} mid=${ids#* }
wait_job "$mid"
wait_array "$aid"
tasks=$(task_states "$aid") || fail "scontrol show job $aid failed"
echo "$me: with --inject fc:3 (a mismatch in image 0): array job $aid tasks $tasks; merge job $mid: $st"
[ "$st" = CANCELLED ] && [ "$tasks" = "0:FAILED 1:COMPLETED " ] && [ -s "$T/bad/shard_0.json" ] &&
  [ ! -e "$T/bad/merged.json" ] || fail "a shard with a mismatch: expected task 0 FAILED with its report, merge CANCELLED"

pass=1
echo "$me: PASS: $shards-shard Slurm array + merge of $count images ($data) = single run (JSON and CSV but wall_seconds);" \
  "daemons up in ${t_daemons} s (ports $port/$((port + 1))), array + merge ${t_jobs} s, single run ${t_single} s," \
  "total $(secs "$t_start" "$(now)") s"
