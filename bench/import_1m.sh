#!/usr/bin/env bash
# Benchmark: import one million synthetic rows in one file, in one transaction.
# Prints wall time and peak memory (resident set) of the import alone.
#
#   bench/import_1m.sh [ROWS]        (default 1,000,000)
#
# Needs /usr/bin/time (Debian package `time`; installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
out=${BENCH_OUT:-bench/out/import}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/whereabouts"
rm -rf "$out" && mkdir -p "$out"

# ~2 records per person over 6 lists: generate enough persons, then cut one file of $rows rows.
"$bin" synth --out "$out/lists" --persons $((rows * 6 / 10)) --sources 6 --seed 7 >/dev/null
# One header, then rows from each list in turn, up to $rows rows.
awk -v max=$((rows + 1)) 'FNR == 1 && NR != 1 { next } { print; if (++n == max) exit }' \
    "$out"/lists/source_*.csv > "$out/list.csv"
echo "file: $(($(wc -l < "$out/list.csv") - 1)) rows, $(du -h "$out/list.csv" | cut -f1)"

"$bin" init --data "$out/registry" >/dev/null
/usr/bin/time -f "import: %e s wall, %M KiB peak RSS, %P CPU" \
    "$bin" import "$out/list.csv" --source bench --data "$out/registry"
/usr/bin/time -f "audit verify: %e s wall, %M KiB peak RSS" \
    "$bin" audit verify --data "$out/registry"
