#!/usr/bin/env bash
# Coverage study for `whereabouts estimate` (issue 4): over SEEDS synthetic populations, how often
# does each method's 95% interval contain the true N?
#
#   bench/estimation_coverage.sh [SEEDS=20] [PERSONS=5000] [SOURCES=5]
#
# For each seed: `whereabouts synth` writes lists with a known N; the capture-pattern table is
# built up to three times:
#   perfect  — from meta.json's pattern_counts (the table a perfect linkage would give);
#   linked   — from `whereabouts link-files` clusters (skipped if that command does not exist);
#   reviewed — the same after every pair of the review band was decided from truth.csv
#              (`--simulate-review`); REVIEWED=0 skips it.
# Each table goes through `whereabouts estimate --method all --format json`; the script prints
# one line per seed and table and, at the end, coverage and median relative error per method.
#
# Environment: WHEREABOUTS (binary; by default target/release/whereabouts, built or rebuilt first),
# ESTIMATE_ARGS (extra flags for estimate, e.g. "--chains 2"), SYNTH_ARGS (extra flags for synth,
# e.g. "--heterogeneity 0"), KEEP=1 to keep the work dir.
set -euo pipefail

SEEDS=${1:-20}
PERSONS=${2:-5000}
SOURCES=${3:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Without WHEREABOUTS the release binary is built first (a no-op when it is up to date), so the
# study never runs a binary older than the code it is meant to measure.
if [[ -n ${WHEREABOUTS:-} ]]; then
  BIN=$WHEREABOUTS
else
  (cd "$ROOT" && cargo build --release -q -p whereabouts)
  BIN=$ROOT/target/release/whereabouts
fi
WORK=$(mktemp -d)
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv
: >"$RESULTS"

has_link_files=0
if "$BIN" link-files --help >/dev/null 2>&1; then has_link_files=1; fi

# Clusters → capture patterns: a record's source is the k in its record_id `s<k>-…`.
patterns_from_clusters() {
  python3 - "$1" "$2" "$SOURCES" <<'PY'
import csv, sys, collections
clusters, out_path, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.DictReader(open(clusters)))
if not rows:
    sys.exit(1)
cluster_col = next(c for c in ("cluster_id", "cluster", "person_id", "entity_id") if c in rows[0])
seen = collections.defaultdict(set)
for r in rows:
    src = r.get("source") or r["record_id"].split("-")[0].lstrip("s")
    src = src.replace("source_", "")
    seen[r[cluster_col]].add(int(src))
counts = collections.Counter("".join("1" if j in s else "0" for j in range(1, k + 1)) for s in seen.values())
with open(out_path, "w") as out:
    out.write(",".join(f"source_{j}" for j in range(1, k + 1)) + ",count\n")
    for pattern, count in sorted(counts.items(), reverse=True):
        out.write(",".join(pattern) + f",{count}\n")
PY
}

for seed in $(seq 1 "$SEEDS"); do
  dir=$WORK/seed$seed
  # shellcheck disable=SC2086
  "$BIN" synth --out "$dir" --persons "$PERSONS" --sources "$SOURCES" --seed "$seed" ${SYNTH_ARGS:-} >/dev/null
  # Perfect linkage: pattern_counts from meta.json.
  python3 - "$dir" <<'PY'
import json, sys, os
d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
order = meta["pattern_order"]
with open(os.path.join(d, "perfect.csv"), "w") as out:
    out.write(",".join(order) + ",count\n")
    for pattern, count in sorted(meta["pattern_counts"].items(), reverse=True):
        if "1" in pattern:
            out.write(",".join(pattern) + f",{count}\n")
PY
  tables=(perfect)
  if [[ $has_link_files == 1 ]]; then
    # One linkage; with REVIEWED=1 (the default) also its clusters after a reviewer decided
    # every pair of its review band (decisions taken from the truth): the workflow the registry
    # follows before `estimate --data`.
    review=()
    if [[ ${REVIEWED:-1} == 1 ]]; then
      review=(--truth "$dir/truth.csv" --simulate-review 1000000
        --reviewed-clusters "$dir/clusters-reviewed.csv")
    fi
    if "$BIN" link-files "$dir"/source_*.csv --out "$dir/clusters.csv" "${review[@]}" >/dev/null 2>&1; then
      if patterns_from_clusters "$dir/clusters.csv" "$dir/linked.csv"; then
        tables+=(linked)
      fi
      if [[ ${REVIEWED:-1} == 1 ]] && patterns_from_clusters "$dir/clusters-reviewed.csv" "$dir/reviewed.csv"; then
        tables+=(reviewed)
      fi
    fi
  fi
  truth=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['true_persons'])" "$dir/meta.json")
  for t in "${tables[@]}"; do
    # shellcheck disable=SC2086
    "$BIN" estimate --table "$dir/$t.csv" --method all --format json --seed "$seed" ${ESTIMATE_ARGS:-} >"$dir/$t.json"
    python3 - "$dir/$t.json" "$truth" "$seed" "$t" >>"$RESULTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); truth = float(sys.argv[2])
for e in r["estimates"]:
    covered = int(e["lower"] <= truth <= e["upper"])
    print(f'{sys.argv[3]}\t{sys.argv[4]}\t{e["method"]}\t{truth:.0f}\t{e["point"]:.1f}\t{e["lower"]:.1f}\t{e["upper"]:.1f}\t{covered}')
PY
  done
  tail -n +1 "$RESULTS" | awk -v s="$seed" -F'\t' '$1==s {printf "seed %s %-7s %-9s N=%s point=%s [%s, %s] %s\n", $1, $2, $3, $4, $5, $6, $7, ($8 ? "covered" : "MISSED")}'
done

echo
echo "coverage of the 95% interval over $SEEDS seeds ($PERSONS persons, $SOURCES lists, synth ${SYNTH_ARGS:-defaults}):"
python3 - "$RESULTS" <<'PY'
import sys, collections, statistics
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    seed, table, method, truth, point, lo, hi, cov = line.rstrip("\n").split("\t")
    by[(table, method)].append((int(cov), abs(float(point) / float(truth) - 1)))
for (table, method), v in sorted(by.items()):
    cov = sum(c for c, _ in v) / len(v)
    err = statistics.median(e for _, e in v)
    print(f"  {table:8s} {method:10s} coverage {cov:6.1%}  median |error| {err:6.1%}  ({len(v)} runs)")
PY
