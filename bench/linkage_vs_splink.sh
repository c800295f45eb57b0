#!/usr/bin/env bash
# Side by side: `whereabouts link-files` against the Splink baseline (../shared/bench/splink_baseline.py)
# on the same synthetic two-script lists, at 200,000 and 1,000,000 records.
# Wall time and peak memory come from /usr/bin/time -v; both outputs are scored by linkage_eval.py.
#
# usage: bench/linkage_vs_splink.sh [SIZES...]      (default: 100000 500000 persons -> ~200k and ~1M records)
# env:   WORK=/tmp/linkage-bench   SHARED=../shared   SKIP_SPLINK=1 (ours only)   SOURCES=6
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
WORK=${WORK:-/tmp/linkage-bench}
SOURCES=${SOURCES:-6}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100000 500000)
mkdir -p "$WORK"

if [ -z "${SKIP_SPLINK:-}" ] && [ ! -x /tmp/splink-venv/bin/python ]; then
  python3 -m venv /tmp/splink-venv
  /tmp/splink-venv/bin/pip install -q splink==5.0.0 pandas
fi
cargo build --release -q -p whereabouts
BIN=target/release/whereabouts
[ -n "${CARGO_TARGET_DIR:-}" ] && BIN="$CARGO_TARGET_DIR/release/whereabouts"

# peak RSS (MB) and wall seconds from a /usr/bin/time -v log
peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.1f", s}' "$1"; }
f1_of() { python3 "$SHARED/bench/linkage_eval.py" "$1" "$2" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["precision"], r["recall"], r["f1"])'; }

ROWS=()
for persons in "${SIZES[@]}"; do
  dir="$WORK/synth_${persons}_${SOURCES}"
  if [ ! -f "$dir/truth.csv" ]; then
    "$BIN" synth --out "$dir" --persons "$persons" --sources "$SOURCES" --seed 1 > /dev/null
  fi
  records=$(( $(wc -l < "$dir/truth.csv") - 1 ))
  files=("$dir"/source_*.csv)

  /usr/bin/time -v "$BIN" link-files "${files[@]}" --out "$WORK/ours_$persons.csv" \
    2> "$WORK/ours_$persons.log" > /dev/null
  read -r p r f <<< "$(f1_of "$WORK/ours_$persons.csv" "$dir/truth.csv")"
  ROWS+=("$(printf '%-10s %9d %-8s %8s %8s %7s %7s %7s' whereabouts "$records" "$persons" \
    "$(wall_s "$WORK/ours_$persons.log")" "$(peak_mb "$WORK/ours_$persons.log")" "$p" "$r" "$f")")

  if [ -z "${SKIP_SPLINK:-}" ]; then
    if /usr/bin/time -v /tmp/splink-venv/bin/python "$SHARED/bench/splink_baseline.py" \
        --out "$WORK/splink_$persons.csv" "${files[@]}" 2> "$WORK/splink_$persons.log" > "$WORK/splink_$persons.json"; then
      read -r p r f <<< "$(f1_of "$WORK/splink_$persons.csv" "$dir/truth.csv")"
    else
      p=failed; r=-; f=-
    fi
    ROWS+=("$(printf '%-10s %9d %-8s %8s %8s %7s %7s %7s' splink "$records" "$persons" \
      "$(wall_s "$WORK/splink_$persons.log")" "$(peak_mb "$WORK/splink_$persons.log")" "$p" "$r" "$f")")
  fi
done

printf '%-10s %9s %-8s %8s %8s %7s %7s %7s\n' tool records persons wall_s peak_MB prec recall F1
printf '%s\n' "${ROWS[@]}"
