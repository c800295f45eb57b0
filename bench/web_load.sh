#!/usr/bin/env bash
# Load benchmark of the web app (issue target: with 100,000 persons and 50 concurrent clients,
# the person page and a search answer in <= 50 ms at the 99th percentile, and the server stays
# under 300 MB resident).
#
#   bench/web_load.sh [PERSONS=130000] [SOURCES=5] [SEED=1]
#
# 1. builds the release binary and a demo registry of PERSONS synthetic persons (the lists
#    record ~93% of them: 130,000 gives about 117,000 linked persons and 246,559 records), in about a
#    minute, cached under target/bench/web-registry/p<PERSONS>-s<SOURCES>-seed<SEED> so re-runs
#    skip it;
# 2. starts `whereabouts serve` on a free port, logs in with curl (session cookie) and makes an
#    API token; collects ~2,000 person ids and ~500 search queries (given names, surnames, full
#    names and 3-letter prefixes, in both scripts) from random pages of /api/v1/persons;
# 3. drives CONNECTIONS concurrent clients with wrk for DURATION per endpoint (person page, then
#    search), each after a short unrecorded warm-up; a Lua script sends the session cookie and
#    picks URLs at random from the endpoint's list, and writes wrk's latency percentiles as JSON;
# 4. samples the server's VmRSS every 0.2 s during the runs, and its VmHWM (peak) at the end;
# 5. times a sample of the URLs one at a time (single client) and lists the slowest, to point at
#    the slow queries;
# 6. prints a table and the verdict against the targets, and writes it all as JSON to
#    target/bench/web_load.json. The server is stopped on exit.
#
# Environment: DURATION (default 30s), WARMUP (5s, 0 to skip), CONNECTIONS (50), THREADS (2),
# TIMEOUT (wrk's request timeout in seconds, 10; slower requests count as taking that long),
# THINK_MS (0: every client sends its next request as soon as the last is answered, so latency
# includes queueing behind the other 49; e.g. 1000: clients pause 0.5-1.5 s between requests),
# PERSON_URLS (2000), SEARCH_URLS (500), P99_TARGET_MS (50), RSS_TARGET_MB (300),
# WHEREABOUTS_BIN (a binary to run instead of building this tree's; to compare two builds, give
# each its own CARGO_TARGET_DIR, since a registry migrated by one may not open in the other),
# BENCH_JSON (where the JSON goes, default target/bench/web_load.json), KEEP=1 to keep the work
# dir (URL lists, wrk output, server log).
# Needs curl, python3 and wrk (Debian package `wrk`; installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PERSONS=${1:-130000}
SOURCES=${2:-5}
SEED=${3:-1}
DURATION=${DURATION:-30s}
TIMEOUT=${TIMEOUT:-10}
THINK_MS=${THINK_MS:-0}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PERSON_URLS=${PERSON_URLS:-2000}
SEARCH_URLS=${SEARCH_URLS:-500}
P99_TARGET_MS=${P99_TARGET_MS:-50}
RSS_TARGET_MB=${RSS_TARGET_MB:-300}
OUT=$(mkdir -p "${CARGO_TARGET_DIR:-target}/bench" && cd "${CARGO_TARGET_DIR:-target}/bench" && pwd)
REGISTRY=$OUT/web-registry/p$PERSONS-s$SOURCES-seed$SEED
JSON_OUT=${BENCH_JSON:-$OUT/web_load.json}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }

started=$(date +%s)
if [ -z "${WHEREABOUTS_BIN:-}" ]; then
  cargo build --release -q -p whereabouts
  BIN=$(cd "${CARGO_TARGET_DIR:-target}/release" && pwd)/whereabouts
else
  BIN=$WHEREABOUTS_BIN
fi

WORK=$(mktemp -d)
SERVER_PID=
SAMPLER_PID=
cleanup() {
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- 1. the registry (built once per PERSONS/SOURCES/SEED) -----------------------------------
# Built in a .partial folder and renamed when complete, so an interrupted build is never reused.
# The demo's admin password is only printed once: it is kept beside the registry.
if [[ ! -f $REGISTRY.login ]]; then
  rm -rf "$REGISTRY" "$REGISTRY.partial"
  mkdir -p "$(dirname "$REGISTRY")"
  echo "building the registry: $PERSONS synthetic persons, $SOURCES lists, seed $SEED (about a minute)"
  t0=$(date +%s)
  "$BIN" demo --data "$REGISTRY.partial" --persons "$PERSONS" --sources "$SOURCES" --seed "$SEED" \
    >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log"; exit 1; }
  password=$(sed -n 's/^web login: `admin`, password: \([^ ]*\).*/\1/p' "$WORK/demo.log")
  [[ -n $password ]] || { cat "$WORK/demo.log"; echo "no password in the demo's output" >&2; exit 1; }
  rm -rf "$REGISTRY.partial/demo-lists"   # the synthetic CSVs; the registry keeps the files
  mv "$REGISTRY.partial" "$REGISTRY"
  (umask 077 && printf '%s\n' "$password" >"$REGISTRY.login")
  echo "registry built in $(($(date +%s) - t0)) s"
fi
PASSWORD=$(cat "$REGISTRY.login")
LINKED=$("$BIN" estimate --data "$REGISTRY" 2>/dev/null |
  sed -n 's/^\([0-9][0-9,]*\) people appear on at least one.*/\1/p' | tr -d , | head -1)
echo "registry: $REGISTRY ($LINKED linked persons, $(du -sh "$REGISTRY" | cut -f1) on disk)"

# --- 2. the server, a session and the URLs ---------------------------------------------------
"$BIN" serve --data "$REGISTRY" --addr 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE=
for _ in $(seq 1 300); do
  BASE=$(sed -n 's#^whereabouts is listening on \(http://[^/]*\)/.*#\1#p' "$WORK/server.log")
  [[ -n $BASE ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
[[ -n $BASE ]] || { cat "$WORK/server.log"; echo "the server did not start" >&2; exit 1; }
echo "server: $BASE (pid $SERVER_PID)"

JAR=$WORK/cookies.txt
csrf=$(curl -fsS -c "$JAR" "$BASE/login" |
  sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[[ -n $csrf ]] || { echo "no csrf field on /login" >&2; exit 1; }
status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" \
  --data-urlencode login=admin --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$csrf" --data-urlencode next=/ "$BASE/login")
SESSION=$(awk '$6 == "whereabouts_session" { print $7 }' "$JAR")
[[ $status == 303 && -n $SESSION ]] || { echo "login failed (HTTP $status)" >&2; exit 1; }
COOKIE="whereabouts_session=$SESSION"
TOKEN=$("$BIN" user token admin --label web-load-bench --data "$REGISTRY" 2>/dev/null)

python3 - "$BASE" "$TOKEN" "$PERSON_URLS" "$SEARCH_URLS" "$WORK" "$LINKED" <<'PY'
import json, math, random, sys, unicodedata, urllib.parse, urllib.request
base, token, n_persons, n_searches, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
linked = int(sys.argv[6] or 0)
rng = random.Random(20240601)

def api(path):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)

# Random pages of the person list (50 per page) until there are enough ids.
pages = max(1, math.ceil(linked / 50)) if linked else 1
ids, names = [], []
tried = set()
while len(ids) < n_persons and len(tried) < pages:
    p = rng.randint(1, pages)
    if p in tried:
        continue
    tried.add(p)
    for person in api(f"/api/v1/persons?page={p}")["persons"]:
        ids.append(person["id"])
        names.extend(person["names"])
ids = ids[:n_persons]

def persian(s):
    return any("\u0600" <= c <= "\u06ff" for c in s)

# Queries: full names, given names, surnames, and 3-letter prefixes, half in each script.
kinds = ["full", "given", "surname", "prefix", "given+prefix"]
by_script = {True: [], False: []}
for n in names:
    words = n.split()
    if len(words) >= 2:
        by_script[persian(n)].append(words)
queries = set()
attempts = 0
while len(queries) < n_searches and attempts < 50 * n_searches:
    attempts += 1
    script = attempts % 2 == 0
    pool = by_script[script] or by_script[not script]
    words = rng.choice(pool)
    kind = rng.choice(kinds)
    if kind == "full":
        q = " ".join(words)
    elif kind == "given":
        q = words[0]
    elif kind == "surname":
        q = words[-1]
    elif kind == "prefix":
        q = words[-1][:3]
    else:
        q = f"{words[0]} {words[-1][:3]}"
    queries.add(q)
queries = sorted(queries)
rng.shuffle(queries)

with open(f"{work}/person_urls.txt", "w") as f:
    for i in ids:
        f.write(f"/persons/{i}\n")
with open(f"{work}/search_urls.txt", "w") as f:
    for q in queries:
        f.write("/persons?q=" + urllib.parse.quote(q) + "\n")
with open(f"{work}/search_queries.txt", "w") as f:
    f.write("\n".join(queries) + "\n")
print(f"urls: {len(ids)} person pages (from {len(tried)} random API pages), {len(queries)} searches "
      f"({sum(map(persian, queries))} in Persian script)")
PY

# Every URL answers 200 with the session (not a redirect to /login) before the load starts.
for list in person search; do
  url=$(head -1 "$WORK/${list}_urls.txt")
  status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE$url")
  [[ $status == 200 ]] || { echo "$url answers HTTP $status with the session" >&2; exit 1; }
done

# --- 3. wrk ----------------------------------------------------------------------------------
cat >"$WORK/load.lua" <<'LUA'
-- Sends the session cookie and picks URLs at random from URL_FILE; at the end writes the
-- summary and latency percentiles (microseconds) as JSON to RESULT_FILE.
local urls = {}
for line in io.lines(os.getenv("URL_FILE")) do
  if #line > 0 then urls[#urls + 1] = line end
end
local headers = { ["Cookie"] = os.getenv("COOKIE") }
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

-- THINK_MS > 0: each client waits 0.5 to 1.5 times that long between requests (a person
-- reading a page) instead of sending the next request at once.
local think = tonumber(os.getenv("THINK_MS") or "0")
if think > 0 then
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function request()
  return wrk.format("GET", urls[math.random(#urls)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local f = io.open(os.getenv("RESULT_FILE"), "w")
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"p999": %d, "max": %d}, "urls": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9), latency.max,
    #urls))
  f:close()
end
LUA

rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
sample_rss() { # every 0.2 s: "<phase> <VmRSS kB>"
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    printf '%s %s\n' "$(cat "$WORK/phase")" "$(rss_kb VmRSS)" >>"$WORK/rss.txt"
    sleep 0.2
  done
}
echo idle >"$WORK/phase"
RSS_START_KB=$(rss_kb VmRSS)
sample_rss &
SAMPLER_PID=$!

run_wrk() { # endpoint duration result
  URL_FILE=$WORK/$1_urls.txt COOKIE=$COOKIE RESULT_FILE=$3 THINK_MS=$THINK_MS \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "$2" --timeout "${TIMEOUT}s" --latency -s "$WORK/load.lua" "$BASE" \
    >"$3.txt" 2>&1 || { cat "$3.txt"; exit 1; }
}
for endpoint in person search; do
  if [[ $WARMUP != 0 ]]; then
    echo "warm-up  $endpoint: $WARMUP"
    echo "warmup-$endpoint" >"$WORK/phase"
    run_wrk "$endpoint" "$WARMUP" "$WORK/warmup_$endpoint.json"
  fi
  echo "measure  $endpoint: $CONNECTIONS clients, $THREADS threads, $DURATION"
  echo "$endpoint" >"$WORK/phase"
  run_wrk "$endpoint" "$DURATION" "$WORK/wrk_$endpoint.json"
done
echo idle >"$WORK/phase"
RSS_END_KB=$(rss_kb VmRSS)
HWM_KB=$(rss_kb VmHWM)

# --- 5. single-client timings of a sample, to show what is slow -------------------------------
python3 - "$BASE" "$COOKIE" "$WORK" <<'PY' >"$WORK/slowest.json"
import json, random, sys, time, urllib.parse, http.client
base, cookie, work = sys.argv[1:4]
host = urllib.parse.urlparse(base).netloc
rng = random.Random(7)
conn = http.client.HTTPConnection(host, timeout=60)
out = {}
for endpoint, n in (("person", 100), ("search", 150)):
    urls = [u.strip() for u in open(f"{work}/{endpoint}_urls.txt") if u.strip()]
    timed = []
    for url in rng.sample(urls, min(n, len(urls))):
        t = time.perf_counter()
        conn.request("GET", url, headers={"Cookie": cookie})
        r = conn.getresponse(); body = r.read()
        timed.append(((time.perf_counter() - t) * 1000, r.status, urllib.parse.unquote(url)))
    timed.sort(reverse=True)
    ms = sorted(t for t, _, _ in timed)
    out[endpoint] = {
        "sampled": len(timed),
        "median_ms": round(ms[len(ms) // 2], 2),
        "slowest": [{"ms": round(t, 2), "status": s, "url": u} for t, s, u in timed[:8]],
    }
json.dump(out, sys.stdout, ensure_ascii=False)
PY

kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=

# --- 6. report -------------------------------------------------------------------------------
python3 - "$WORK" "$JSON_OUT" <<PY
import json, sys, collections
work, out = sys.argv[1], sys.argv[2]
p99_target, rss_target = float($P99_TARGET_MS), float($RSS_TARGET_MB)
timeout_us = float("${TIMEOUT%s}") * 1e6
peak = collections.defaultdict(int)
for line in open(f"{work}/rss.txt"):
    parts = line.split()
    if len(parts) == 2 and parts[1].isdigit():
        peak[parts[0]] = max(peak[parts[0]], int(parts[1]))
hwm_mb = int("$HWM_KB") / 1024
slowest = json.load(open(f"{work}/slowest.json"))
ms = lambda us: round(us / 1000, 2)
rows = []
for endpoint, label in (("person", "/persons/{id}"), ("search", "/persons?q=NAME")):
    w = json.load(open(f"{work}/wrk_{endpoint}.json"))
    secs = w["duration_us"] / 1e6
    lat = w["latency_us"]
    errors = sum(w["errors"].values())
    # wrk leaves requests slower than --timeout out of its latency histogram and counts them as
    # timeouts: when they are more than 1% of the requests, the 99th percentile is at least the
    # timeout, whatever the histogram says (and likewise for the other percentiles).
    timeouts = w["errors"]["timeout"]
    slow = timeouts / max(w["requests"], 1)
    for k, q in (("p50", .5), ("p90", .9), ("p95", .95), ("p99", .99), ("p999", .999), ("max", 1)):
        if slow > 1 - q or lat[k] <= 0:
            lat[k] = max(lat[k], timeout_us)
    rows.append({
        "endpoint": label,
        "urls": w["urls"],
        "requests": w["requests"],
        "errors": w["errors"],
        "throughput_rps": round(w["requests"] / secs, 1),
        "p50_ms": ms(lat["p50"]), "p90_ms": ms(lat["p90"]), "p95_ms": ms(lat["p95"]),
        "p99_ms": ms(lat["p99"]), "p999_ms": ms(lat["p999"]), "max_ms": ms(lat["max"]),
        "mean_ms": ms(lat["mean"]),
        "peak_rss_mb": round(peak[endpoint] / 1024, 1),
        "timeouts_counted_as_ms": timeout_us / 1000 if timeouts else None,
        "pass": lat["p99"] / 1000 <= p99_target and errors == 0,
        "single_client": slowest[endpoint],
    })
result = {
    "registry": {"path": "$REGISTRY", "persons_synthetic": $PERSONS, "sources": $SOURCES,
                 "seed": $SEED, "linked_persons": int("${LINKED:-0}" or 0)},
    "load": {"connections": $CONNECTIONS, "threads": $THREADS, "duration": "$DURATION",
             "warmup": "$WARMUP", "think_ms": $THINK_MS, "tool": "wrk"},
    "targets": {"p99_ms": p99_target, "rss_mb": rss_target},
    "endpoints": rows,
    "server_rss_mb": {"start": round(int("$RSS_START_KB") / 1024, 1),
                      "end": round(int("$RSS_END_KB") / 1024, 1),
                      "peak_sampled": round(max(peak.values()) / 1024, 1),
                      "peak_vmhwm": round(hwm_mb, 1)},
    "rss_pass": hwm_mb < rss_target,
}
result["pass"] = result["rss_pass"] and all(r["pass"] for r in rows)
json.dump(result, open(out, "w"), indent=2, ensure_ascii=False)

verdict = lambda ok: "PASS" if ok else "FAIL"
print()
think = f", {$THINK_MS} ms think time" if $THINK_MS else ", no think time"
print(f"{result['registry']['linked_persons']:,} linked persons, {$CONNECTIONS} clients{think}, $DURATION per endpoint")
print(f"{'endpoint':<18} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'RSS MB':>7}  p99<={p99_target:g}ms")
for r in rows:
    shown = lambda v: f">={v:.0f}" if r["timeouts_counted_as_ms"] and v >= r["timeouts_counted_as_ms"] else f"{v:.1f}"
    print(f"{r['endpoint']:<18} {r['requests']:>9} {r['throughput_rps']:>8.1f} {shown(r['p50_ms']):>8} "
          f"{shown(r['p99_ms']):>8} {shown(r['max_ms']):>8} {sum(r['errors'].values()):>7} {r['peak_rss_mb']:>7.1f}  {verdict(r['pass'])}")
    if r["errors"]["timeout"]:
        print(f"{'':<18} {r['errors']['timeout']} requests took longer than the {r['timeouts_counted_as_ms']:.0f} ms timeout")
s = result["server_rss_mb"]
print(f"server memory: {s['start']} MB at start, peak {s['peak_vmhwm']} MB (VmHWM), "
      f"{s['end']} MB at the end  <{rss_target:g} MB  {verdict(result['rss_pass'])}")
for r in rows:
    sc = r["single_client"]
    print(f"one client, {sc['sampled']} sampled {r['endpoint']}: median {sc['median_ms']} ms; slowest:")
    for x in sc["slowest"][:5]:
        print(f"    {x['ms']:>8.1f} ms  {x['status']}  {x['url']}")
print(f"overall: {verdict(result['pass'])}   (JSON: {out})")
PY
echo "took $(($(date +%s) - started)) s"
