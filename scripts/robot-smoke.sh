#!/usr/bin/env bash
# The robot path end to end, as a user runs it, in about two minutes: `trot emulate` (the firmware over MuJoCo on a
# pseudo-terminal) and `trot robot --port` (DroQ, here with G = 2 to stay quick, learning in real time through the
# link), stopped half-way by SIGTERM (damp, snapshot, exit 0) and continued with --resume to the end.
# Fails (exit 1) with the reason when any part does not do what it should. CI runs it from .ci/run.
#   scripts/robot-smoke.sh [STEPS]        (default 300)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-300}"
work="$(mktemp -d /tmp/trot-robot-smoke.XXXXXX)"
port="$work/a1"
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    return 0
}
trap cleanup EXIT
fail() { echo "robot-smoke: FAIL: $*" >&2; exit 1; }

cd "$root"
./trot info >/dev/null   # builds the command-line jar first, so the timings below are the run's
./trot emulate --link "$port" --quiet --status-every 0 > "$work/emulator.out" 2> "$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 100); do [ -e "$port" ] && break; sleep 0.1; done
[ -e "$port" ] || fail "the emulator did not create $port: $(cat "$work/emulator.err")"
echo "robot-smoke: $(head -1 "$work/emulator.out")"

run="$work/run"
args=(--steps "$steps" --random-steps $((steps / 3)) --episode-steps 100 --eval-interval 0 --eval-episodes 1
      --snapshot-every 50 --set utd=2 --no-progress --no-enter-stop)
./trot robot --port "$port" "${args[@]}" -o "$run" > "$work/first.out" 2> "$work/first.err" < /dev/null &
robot_pid=$!
# Stop it with SIGTERM once it has learned for a while: it must damp, snapshot and exit 0.
for _ in $(seq 1200); do
    rows=0
    [ -f "$run/episodes.csv" ] && rows=$(($(wc -l < "$run/episodes.csv") - 1))
    [ "$rows" -ge 2 ] && break
    kill -0 "$robot_pid" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$robot_pid" 2>/dev/null || true
status=0
wait "$robot_pid" || status=$?
# 143 = 128 + SIGTERM: how the JVM ends after a signal, whatever its hooks did (they saved the run: checked below).
[ "$status" = 0 ] || [ "$status" = 143 ] || fail "trot robot exited $status after SIGTERM: $(tail -5 "$work/first.err")"
grep -q "trained $steps steps" "$work/first.out" || grep -q "stopped the run (ESTOP): .*SIGINT or SIGTERM" "$work/first.err" \
    || fail "trot robot neither finished nor stopped on the signal: $(tail -3 "$work/first.err")"
echo "robot-smoke: first part: $(grep -h -E 'stopped the run|trained' "$work/first.out" "$work/first.err" | head -1)"
[ -s "$run/state.snap" ] || fail "no snapshot after the stop"

if ! grep -q "trained $steps steps" "$work/first.out"; then
    ./trot robot --port "$port" --resume "$run" --no-progress --no-enter-stop > "$work/second.out" 2> "$work/second.err" < /dev/null \
        || fail "trot robot --resume failed: $(tail -5 "$work/second.err")"
    grep -q "trained $steps steps" "$work/second.out" || fail "the resumed run did not finish: $(cat "$work/second.out")"
    echo "robot-smoke: resumed: $(grep 'trained' "$work/second.out")"
fi
grep "real time:" "$work"/*.out | tail -1 | sed 's/^.*real time/robot-smoke: real time/'

for f in run.txt episodes.csv evaluations.csv control.csv world.csv jitter.png world.png policy.ckpt state.snap replay.log; do
    [ -s "$run/$f" ] || fail "$run/$f is missing or empty"
done
episodes=$(($(wc -l < "$run/episodes.csv") - 1))
[ "$episodes" -ge 3 ] || fail "only $episodes episodes in episodes.csv"
[ $(($(wc -l < "$run/world.csv") - 1)) = "$episodes" ] || fail "world.csv has not one row per episode"
[ $(($(wc -l < "$run/control.csv") - 1)) = "$episodes" ] || fail "control.csv has not one row per episode"
# The link lost nothing and the robot never had to be stopped by an interlock of the run.
last=$(tail -1 "$run/world.csv")
header=$(head -1 "$run/world.csv")
col() { echo "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
value() { echo "$last" | cut -d, -f"$(col "$1")"; }
[ "$(value link_losses)" = 0 ] || fail "the link was lost $(value link_losses) times"
[ "$(value get_up_failures)" = 0 ] || fail "$(value get_up_failures) get-ups failed"
echo "robot-smoke: $episodes episodes, $(value resets) resets, $(value packets_lost) packets lost, RTT p99 $(value rtt_p99_ms) ms"

kill -TERM "$emulator_pid"
wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""
grep -q "^summary" "$work/emulator.out" || fail "the emulator printed no summary: $(tail -3 "$work/emulator.err")"
echo "robot-smoke: emulator $(grep '^summary' "$work/emulator.out" | head -1 | cut -c1-200)"
echo "robot-smoke: OK ($work)"
