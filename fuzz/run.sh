#!/usr/bin/env bash
# Runs one fuzz target for a number of seconds, seeded from the repository's corpus/ directory.
#
#   fuzz/run.sh TARGET SECONDS      TARGET: parse, parse_advanced, eval, config or corpus
#
# Seeds: ns.conf files (corpus/configs) for `config`, request corpora (corpus/requests) for
# `corpus`, and the real-world expressions (corpus/expressions/real-world.tsv, one per file) for
# `parse` and `eval`, the real advanced rules (corpus/expressions/advanced.tsv) for
# `parse_advanced`; request corpora are cut to their first lines. libFuzzer's own corpus grows in fuzz/corpus/TARGET and findings land in
# fuzz/artifacts/TARGET. Uses stable Rust (no sanitizer); installs cargo-fuzz when it is missing.
# The last line printed is a row for the table in fuzz/README.md.
set -euo pipefail

if [[ $# -ne 2 ]] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 TARGET SECONDS" >&2
    exit 2
fi
target=$1
seconds=$2
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$fuzz_dir")
seeds=$fuzz_dir/seeds/$target
work=$fuzz_dir/corpus/$target
artifacts=$fuzz_dir/artifacts/$target

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz

rm -rf "$seeds"
mkdir -p "$seeds" "$work" "$artifacts"
case $target in
    config) cp "$repo"/corpus/configs/*.conf "$seeds"/ ;;
    corpus)
        # The first lines of each corpus: whole multi-megabyte samples would make every input huge.
        for file in "$repo"/corpus/requests/*.{jsonl,har,http,log}; do
            head -n 40 "$file" | head -c 32768 >"$seeds/$(basename "$file")"
        done
        ;;
    parse | eval)
        # Column 1 of the TSV, header row skipped; eval inputs add a target and two headers.
        n=0
        while IFS=$'\t' read -r expression _; do
            n=$((n + 1))
            if [[ $target == eval ]]; then
                printf '%s\n/vpn/index.html\nUser-Agent: CitrixReceiver/23.9\nReferer: https://gw/\n' \
                    "$expression" >"$seeds/$n"
            else
                printf '%s' "$expression" >"$seeds/$n"
            fi
        done < <(tail -n +2 "$repo/corpus/expressions/real-world.tsv")
        ;;
    parse_advanced)
        n=0
        while IFS=$'\t' read -r expression _; do
            n=$((n + 1))
            printf '%s' "$expression" >"$seeds/$n"
        done < <(tail -n +2 "$repo/corpus/expressions/advanced.tsv")
        ;;
    *)
        echo "unknown target $target (parse, parse_advanced, eval, config, corpus)" >&2
        exit 2
        ;;
esac

before=$(find "$artifacts" -type f | wc -l)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd "$fuzz_dir"
status=0
cargo fuzz run --sanitizer none "$target" "$work" "$seeds" -- \
    -max_total_time="$seconds" -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 |
    tee "$log" || status=$?
after=$(find "$artifacts" -type f | wc -l)
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
commit=$(git -C "$repo" rev-parse --short HEAD)
echo "| $target | $seconds | ${runs:-?} | $((after - before)) | $(date -u +%Y-%m-%d) | $commit |"
exit "$status"
