#!/bin/sh
# Runs each fuzz target (or those named) for FUZZ_SECONDS (default 60) after fuzz/build.sh, one at a time.
# The corpus grows in .build-fuzz/corpus/<target> across runs (seeded from .build-fuzz/seeds/<target>); a
# crash, a hang over 5 s or an input using over 2 GiB is written to .build-fuzz/artifacts/<target>/ and fails
# the run. Each target's log, with libFuzzer's final statistics, is .build-fuzz/logs/<target>.log.
#
# usage: fuzz/run.sh [JSONToWire|WireToJSON|PathTemplates ...]
set -eu
cd "$(dirname "$0")/.."
out=.build-fuzz
seconds=${FUZZ_SECONDS:-60}
targets=${*:-JSONToWire WireToJSON PathTemplates}
status=0
for target in $targets; do
    mkdir -p "$out/corpus/$target" "$out/artifacts/$target" "$out/logs"
    echo "fuzzing $target for $seconds s" >&2
    if "$out/fuzz-$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$out/artifacts/$target/" \
        "$out/corpus/$target" "$out/seeds/$target" >"$out/logs/$target.log" 2>&1; then
        grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$out/logs/$target.log" >&2 || true
    else
        status=1
        echo "$target FAILED: see $out/logs/$target.log and $out/artifacts/$target/" >&2
        tail -40 "$out/logs/$target.log" >&2
    fi
done
exit $status
