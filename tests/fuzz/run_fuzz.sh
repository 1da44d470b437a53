#!/usr/bin/env bash
# run_fuzz.sh PROGRAM TARGET SOURCE_DIR WORK_DIR: one bounded libFuzzer run
# of a fuzz target, as ctest's label `fuzz` runs it (tests/fuzz/
# CMakeLists.txt; docs/testing.md "Fuzzing").
#
# Starts from the committed seeds (SOURCE_DIR/corpus/TARGET) and
# regressions (SOURCE_DIR/regressions/TARGET), which it never writes; the
# inputs it finds go to WORK_DIR/corpus (kept between runs of the same
# tree), a crash's input to WORK_DIR/artifacts/. Runs for
# STOREAGENT_FUZZ_SECONDS seconds (30 by default; hours for a soak) and
# prints libFuzzer's final statistics (executions, cov:, ft:).
# STOREAGENT_FUZZ_ARGS adds libFuzzer options (e.g. -jobs=2 -workers=2).
set -euo pipefail
program=$1 target=$2 src=$3 work=$4
seconds=${STOREAGENT_FUZZ_SECONDS:-30}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "run_fuzz.sh: STOREAGENT_FUZZ_SECONDS must be a whole number of" \
    "seconds, not '$seconds'" >&2
  exit 2
fi
mkdir -p "$work/corpus" "$work/artifacts"
dict=()
[ -f "$src/dict/$target.dict" ] && dict=(-dict="$src/dict/$target.dict")
# A report stops the run and libFuzzer saves the input; leaks are reported
# too. Set here, not inherited: scripts/test's abort_on_error is for gtest.
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The whole output in last.log (scripts/fuzz reads the statistics there);
# on a failure it is printed, so ctest --output-on-failure shows the report.
rc=0
# shellcheck disable=SC2086  # STOREAGENT_FUZZ_ARGS is a list of options
"$program" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
  -rss_limit_mb=4096 -max_len=65536 -artifact_prefix="$work/artifacts/" \
  "${dict[@]}" ${STOREAGENT_FUZZ_ARGS:-} \
  "$work/corpus" "$src/corpus/$target" "$src/regressions/$target" \
  >"$work/last.log" 2>&1 || rc=$?
grep -aE '^stat::|DONE|INITED' "$work/last.log" || true
if [ $rc -ne 0 ]; then
  tail -n 80 "$work/last.log"
  echo "run_fuzz.sh: $target failed (exit $rc); the input is in" \
    "$work/artifacts/: fix the code and copy it to" \
    "$src/regressions/$target/ (docs/testing.md, \"Fuzzing\")" >&2
fi
exit $rc
