#!/bin/sh
# A seed replays bit for bit: storeagent-sim --seed S --trace prints the
# same trace twice, for a few seeds; and a trace is not trivially the same
# for every seed (two seeds differ). Usage: replay_test.sh STOREAGENT_SIM
set -eu
sim="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for seed in 3 17 4242; do
  "$sim" --seed "$seed" --trace > "$dir/a" 2>/dev/null
  "$sim" --seed "$seed" --trace > "$dir/b" 2>/dev/null
  if ! cmp -s "$dir/a" "$dir/b"; then
    echo "seed $seed: two runs printed different traces:" >&2
    diff "$dir/a" "$dir/b" | head -20 >&2
    exit 1
  fi
  lines=$(wc -l < "$dir/a")
  if [ "$lines" -lt 50 ]; then
    echo "seed $seed: a trace of $lines lines is too short to mean anything" >&2
    exit 1
  fi
  cp "$dir/a" "$dir/seed-$seed"
done
if cmp -s "$dir/seed-3" "$dir/seed-17"; then
  echo "seeds 3 and 17 printed the same trace: the seed drives nothing" >&2
  exit 1
fi
echo "3 seeds replayed bit for bit"
