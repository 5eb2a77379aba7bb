#!/usr/bin/env bash
# The kill -9 harness (docs/recovery.md): trains the pendulum in a child JVM, kills it with SIGKILL at random
# moments, resumes it with `trot train --resume`, KILLS times, lets the last resume finish, and compares the
# result bit for bit with an uninterrupted run of the same seed (trot.train.CompareRuns).
#
#   scripts/kill-test.sh [KILLS] [WORKDIR]        defaults: 100 kills, /tmp/trot-kill-test
#   KILL_MIN_S / KILL_MAX_S   the random delay between a start and its kill (default 1.0 .. 4.5 s; a JVM starts in about 1 s)
#   KILL_THREADS              learner threads of the killed run (default 1; the reference always runs on 1)
#
# Writes WORKDIR/kills.csv (one row per kill: what the log and the snapshot held right after it, and how the
# resume that followed went) and prints the figures. Exits 0 only when every resume succeeded, no snapshot was
# unreadable, at most one transition was torn per kill, and the final run equals the reference.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills="${1:-100}"
work="${2:-/tmp/trot-kill-test}"
min="${KILL_MIN_S:-1.0}"
max="${KILL_MAX_S:-4.5}"
threads="${KILL_THREADS:-1}"
source "$root/scripts/jvm-env.sh"
trot_build_if_stale "$TROT_CLI_JAR"
java_cmd=("$TROT_JAVA" "${TROT_JVM_ARGS[@]}" -cp "$TROT_CLI_JAR")
run_args=(train -e pendulum --steps 40000 --random-steps 500 --eval-interval 1000 --qbias-interval 2000 --seed 7
          --set hidden=32,32 --set utd=2 --snapshot-every 200 --no-progress)
rm -rf "$work"
mkdir -p "$work"
ref="$work/reference" run="$work/run"
echo "kill-test: reference run (uninterrupted) in $ref"
"${java_cmd[@]}" trot.cli.Main "${run_args[@]}" -o "$ref" >"$work/reference.log" 2>&1 || { echo "reference run failed"; exit 1; }

rec_bytes=$(( 8 + 8 + 4 * (2 * 3 + 1 + 1) + 1 ))   # pendulum: O=3, A=1
header_bytes=$(( 24 + 8 + 4 ))                     # "Pendulum" is 8 bytes
echo "kill,delay_s,phase,log_records,torn_bytes,snapshot_step,snapshot_ok,next_exit" > "$work/kills.csv"
failures=0 unreadable=0 maxtorn=0 k=0 completed=0 identical=0
start_child() {
    if [ -f "$run/state.snap" ]; then
        "${java_cmd[@]}" trot.cli.Main train --resume "$run" --set threads="$threads" --no-progress >>"$work/child.log" 2>&1 &
        phase=resume
    else
        "${java_cmd[@]}" trot.cli.Main "${run_args[@]}" --set threads="$threads" -o "$run" --force >>"$work/child.log" 2>&1 &
        phase=fresh
    fi
    child=$!
}
while [ "$k" -lt "$kills" ]; do
    start_child
    delay=$(awk -v a="$min" -v b="$max" -v s="$RANDOM$k" 'BEGIN { srand(s); printf "%.3f", a + (b - a) * rand() }')
    sleep "$delay"
    if ! kill -0 "$child" 2>/dev/null; then
        wait "$child"; rc=$?
        if [ "$rc" -eq 0 ]; then
            # A whole killed-and-resumed run is done: it must equal the reference too. Then start another.
            completed=$((completed + 1))
            if c=$("${java_cmd[@]}" trot.train.CompareRuns "$ref" "$run"); then identical=$((identical + 1)); else echo; echo "$c"; fi
            echo; echo "kill-test: run $completed finished before kill $((k + 1)): $c"
            rm -rf "$run"; continue
        fi
        echo "kill-test: the child exited with $rc before its kill (see $work/child.log)"; failures=$((failures + 1)); rm -rf "$run"; continue
    fi
    kill -9 "$child"; wait "$child" 2>/dev/null
    k=$((k + 1))
    records=0 torn=0 step=none ok=none
    if [ -f "$run/replay.log" ]; then
        size=$(stat -c %s "$run/replay.log")
        if [ "$size" -ge "$header_bytes" ]; then
            records=$(( (size - header_bytes) / rec_bytes )); torn=$(( (size - header_bytes) % rec_bytes ))
        fi
    fi
    if [ -f "$run/state.snap" ]; then
        if out=$("${java_cmd[@]}" trot.train.CompareRuns --check "$run" 2>&1); then ok=1; step=$(echo "$out" | sed -n 's/^snapshot of step \([0-9]*\)$/\1/p'); else ok=0; unreadable=$((unreadable + 1)); echo "$out" | head -3; fi
    fi
    [ "$torn" -gt 0 ] && maxtorn=$((maxtorn < 1 ? 1 : maxtorn))
    echo "$k,$delay,$phase,$records,$torn,$step,$ok," >> "$work/kills.csv"
    printf '\rkill-test: %d/%d kills (%s, %s records in the log, torn %s bytes, snapshot at step %s)   ' "$k" "$kills" "$phase" "$records" "$torn" "$step"
done
echo
echo "kill-test: letting the last resume finish"
"${java_cmd[@]}" trot.cli.Main train --resume "$run" --set threads="$threads" --no-progress >>"$work/child.log" 2>&1
last=$?
resume_failures=$(grep -c "cannot resume" "$work/child.log" || true)
same=$("${java_cmd[@]}" trot.train.CompareRuns "$ref" "$run"); same_rc=$?
completed=$((completed + 1)); [ "$same_rc" -eq 0 ] && identical=$((identical + 1))
resumes=$(grep -c "trot train: resuming" "$work/child.log" || true)
echo "kill-test: $k kills; $resumes resumes started, $resume_failures refused or failed; last resume exit $last"
echo "kill-test: torn records after a kill: at most $maxtorn per kill (torn tails: $(awk -F, 'NR > 1 && $5 > 0' "$work/kills.csv" | wc -l) of $k kills)"
echo "kill-test: unreadable snapshots after a kill: $unreadable"
echo "kill-test: final run vs uninterrupted: $same"
echo "kill-test: killed-and-resumed runs completed: $completed, identical to the uninterrupted run: $identical"
[ "$identical" -eq "$completed" ] && [ "$failures" -eq 0 ] && [ "$resume_failures" -eq 0 ] && [ "$unreadable" -eq 0 ] && [ "$last" -eq 0 ] && [ "$same_rc" -eq 0 ]
