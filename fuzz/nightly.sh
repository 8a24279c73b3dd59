#!/bin/sh
# A nightly-style long run (docs/reliability.md, "Long run"): each target in turn, alone, under
# `nice -n 10`, until 1,000,000 inputs or its own time cap, from its seeds (a fresh output
# directory), logging the load average before and after each target.
#
#   fuzz/nightly.sh OUT_DIR TARGET:SECONDS [TARGET:SECONDS ...]
#   fuzz/nightly.sh ~/.cache/nixboot-fuzz-nightly git-objects:600 nix-parser:600 shell:900
#
# OUT_DIR must not exist yet. Per target: OUT_DIR/TARGET.log (the fuzzer's output, ending with its
# summary line) and OUT_DIR/TARGET/summary-*.json; OUT_DIR/series.log has start, end and load
# averages, OUT_DIR/load.log the 1-minute load average every 30 s. EXECS (default 1000000) changes
# the input count.
set -eu
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
out=$1
shift
[ ! -e "$out" ] || { echo "$out exists: give a fresh directory" >&2; exit 2; }
mkdir -p "$out"
cd "$(dirname "$0")/.."
execs=${EXECS:-1000000}
(while :; do echo "$(date -u +%T) $(cut -d' ' -f1 /proc/loadavg)"; sleep 30; done) >>"$out/load.log" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT INT TERM
for spec in "$@"; do
  target=${spec%%:*}
  seconds=${spec#*:}
  echo "$(date -u +%FT%TZ) start $target (cap ${seconds}s, ${execs} inputs) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/series.log"
  status=0
  nice -n 10 node --import tsx fuzz/main.ts "$target" --execs "$execs" --seconds "$seconds" --out "$out/$target" >"$out/$target.log" 2>&1 || status=$?
  echo "$(date -u +%FT%TZ) end $target status $status load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/series.log"
done
echo "$(date -u +%FT%TZ) done" >>"$out/series.log"
