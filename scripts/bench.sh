#!/usr/bin/env bash
# Benchmark harscrub on a big generated HAR and on a folder of many small HARs.
#
#   scripts/bench.sh [SIZE_MB] [COUNT]        defaults: 1024 MB, 10000 files
#
# Builds the release binary, generates the inputs under bench-data/ (gitignored; reused
# when they were generated with the same parameters) with
#   cargo run --release --example genhar -- big  bench-data/big.har SIZE_MB
#   cargo run --release --example genhar -- many bench-data/many    COUNT
# then runs every command BENCH_RUNS times (default 3) and prints the median wall time,
# throughput (input size / wall time; MB = 2^20 bytes) and peak RSS as a markdown table,
# with `python3 json.load` and `jq -c .` on the same file as baselines.
#
# Environment:
#   BENCH_RUNS=N        runs per command (default 3; the median is reported)
#   BENCH_BASELINES=0   skip the python3/jq baselines (they need several GB of memory)
#   BENCH_REPORT=0      skip the `clean --report` row
#   BENCH_REGEN=1       regenerate the inputs even if they look up to date
#   BENCH_DATA=DIR      where inputs and copies go (default bench-data)
#   BENCH_SOURCES="A.har B.har"  the HARs genhar cycles through, relative to the
#                       repository root (default: testdata/har/ and the real corpus)
#   BENCH_REAL_MB=N     size of real.har (default 107; 0 skips it): the entries of the
#                       real corpus only, each request with a Bearer JWT
#                       (`genhar real`); scan and clean are compared with json.load,
#                       jq and BENCH_BASE on it, as ratios
#   BENCH_BASE=REV      an earlier commit built beside this one (git worktree under
#                       BENCH_DATA, its own target dir) and timed on real.har, tokens.har
#                       and bundle.zip in the same run (default: none)
#   BENCH_TOKENS_MB=N   size of tokens.har (default 200; 0 skips it): real.har's entries
#                       with a fresh fake token on every request instead of the JWTs
#                       (`genhar tokens`), a capture that reveals ~26,000 secrets at
#                       200 MB
#   BENCH_BUNDLE="M S"  bundle.zip: M small logs and an .env naming S passwords
#                       (`genhar bundle`; default "1000 3000"; "0" skips it)
# COUNT=0 skips the many-files part.
#
# Wall time is measured around the process; peak RSS comes from GNU `/usr/bin/time -v`
# ("Maximum resident set size") or, without it, from polling VmHWM in /proc. Inputs are
# read from the page cache after the first run (they were just written), so these are
# warm-cache numbers. Other load on the machine skews them: the load average and the CPU
# use during the measurements are printed.

set -euo pipefail

die() {
    echo "bench.sh: error: $*" >&2
    exit 1
}
note() { echo "bench.sh: $*" >&2; }

usage() {
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

case "${1:-}" in -h | --help) usage ;; esac
[[ $# -le 2 ]] || usage
SIZE_MB=${1:-1024}
COUNT=${2:-10000}
RUNS=${BENCH_RUNS:-3}
BASELINES=${BENCH_BASELINES:-1}
WITH_REPORT=${BENCH_REPORT:-1}
REGEN=${BENCH_REGEN:-0}
read -r -a SOURCES <<<"${BENCH_SOURCES:-}"
[[ $SIZE_MB =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive integer, got '$SIZE_MB'"
[[ $COUNT =~ ^[0-9]+$ ]] || die "COUNT must be a non-negative integer, got '$COUNT'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"

cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${BENCH_DATA:-bench-data}
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
BIG=$DATA/big.har
MANY=$DATA/many
WORK=$(mktemp -d "$DATA/.run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

command -v cargo >/dev/null || die "cargo not found on PATH"

# ---------------------------------------------------------------- build and inputs
note "building the release binary and the genhar example…"
cargo build --release --quiet --bin harscrub --example genhar ||
    die "cargo build --release failed"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/harscrub
[[ -x $BIN ]] || die "no binary at $BIN after the build"

stamp_ok() { [[ $REGEN != 1 && -e $1 && -f $1.stamp && $(cat "$1.stamp") == "$2" ]]; }
# input FILE STAMP WHAT GENHAR_ARGS... : FILE as `genhar GENHAR_ARGS...` writes it, reused
# when its stamp says it was written with the same parameters.
input() {
    local file=$1 stamp=$2 what=$3
    shift 3
    if stamp_ok "$file" "$stamp"; then
        note "reusing $file ($what)"
        return
    fi
    note "generating $file ($what)…"
    rm -f "$file" "$file.stamp"
    cargo run --release --quiet --example genhar -- "$@" || die "genhar $1 failed"
    echo "$stamp" >"$file.stamp"
}

for s in "${SOURCES[@]}"; do [[ -f $s ]] || die "BENCH_SOURCES: no file $s"; done
STAMP="$SIZE_MB${SOURCES[*]:+ ${SOURCES[*]}}"
if stamp_ok "$BIG" "$STAMP"; then
    note "reusing $BIG ($SIZE_MB MB)"
else
    note "generating $BIG ($SIZE_MB MB)…"
    rm -f "$BIG" "$BIG.stamp"
    cargo run --release --quiet --example genhar -- big "$BIG" "$SIZE_MB" "${SOURCES[@]}" ||
        die "genhar big failed"
    echo "$STAMP" >"$BIG.stamp"
fi
if [[ $COUNT -gt 0 ]]; then
    STAMP="$COUNT${SOURCES[*]:+ ${SOURCES[*]}}"
    if stamp_ok "$MANY" "$STAMP"; then
        note "reusing $MANY ($COUNT files)"
    else
        note "generating $MANY ($COUNT files)…"
        rm -rf "$MANY" "$MANY.stamp"
        cargo run --release --quiet --example genhar -- many "$MANY" "$COUNT" "${SOURCES[@]}" ||
            die "genhar many failed"
        echo "$STAMP" >"$MANY.stamp"
    fi
fi

REAL_MB=${BENCH_REAL_MB:-107}
[[ $REAL_MB =~ ^[0-9]+$ ]] || die "BENCH_REAL_MB must be a non-negative integer, got '$REAL_MB'"
REAL=$DATA/real.har
if [[ $REAL_MB -gt 0 ]]; then
    input "$REAL" "real $REAL_MB" "$REAL_MB MB of real-corpus entries" real "$REAL" "$REAL_MB"
fi
TOKENS_MB=${BENCH_TOKENS_MB:-200}
[[ $TOKENS_MB =~ ^[0-9]+$ ]] || die "BENCH_TOKENS_MB must be a non-negative integer, got '$TOKENS_MB'"
TOKENS=$DATA/tokens.har
if [[ $TOKENS_MB -gt 0 ]]; then
    input "$TOKENS" "tokens $TOKENS_MB" "$TOKENS_MB MB, a fresh token on every request" \
        tokens "$TOKENS" "$TOKENS_MB"
fi
read -r -a BUNDLE_ARGS <<<"${BENCH_BUNDLE:-1000 3000}"
BUNDLE=$DATA/bundle.zip
if [[ ${BUNDLE_ARGS[0]:-0} != 0 ]]; then
    [[ ${#BUNDLE_ARGS[@]} -eq 2 && ${BUNDLE_ARGS[0]} =~ ^[0-9]+$ && ${BUNDLE_ARGS[1]} =~ ^[0-9]+$ ]] ||
        die "BENCH_BUNDLE must be \"MEMBERS SECRETS\", got '${BENCH_BUNDLE:-}'"
    input "$BUNDLE" "bundle ${BUNDLE_ARGS[*]}" "${BUNDLE_ARGS[0]} logs, ${BUNDLE_ARGS[1]} secrets" \
        bundle "$BUNDLE" "${BUNDLE_ARGS[@]}"
fi
BASE_BIN=""
if [[ -n ${BENCH_BASE:-} ]]; then
    base_rev=$(git -C "$ROOT" rev-parse --short "$BENCH_BASE") || die "BENCH_BASE: no commit $BENCH_BASE"
    BASE_DIR=$DATA/base-$base_rev
    if [[ ! -d $BASE_DIR ]]; then
        git -C "$ROOT" worktree add --detach "$BASE_DIR" "$base_rev" >/dev/null ||
            die "cannot check out $base_rev"
    fi
    note "building the base $base_rev…"
    (cd "$BASE_DIR" && CARGO_TARGET_DIR=$BASE_DIR/target cargo build --release --quiet --bin harscrub) ||
        die "building $base_rev failed"
    BASE_BIN=$BASE_DIR/target/release/harscrub
fi

BIG_BYTES=$(stat -c %s "$BIG")
MANY_BYTES=0
if [[ $COUNT -gt 0 ]]; then
    MANY_BYTES=$(find "$MANY" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
fi

# ---------------------------------------------------------------- measuring
if /usr/bin/time -v true >/dev/null 2>&1; then
    RSS_METHOD="/usr/bin/time -v"
else
    RSS_METHOD="VmHWM polled from /proc"
fi

# run_once OUT_PREFIX CMD... : runs CMD (stdout to /dev/null, stderr kept), writes
# OUT_PREFIX.wall (seconds), OUT_PREFIX.rss (KiB); returns CMD's exit code.
run_once() {
    local out=$1
    shift
    local t0 t1 rc=0
    if [[ $RSS_METHOD == /usr/bin/time* ]]; then
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$out.time" "$@" >/dev/null 2>"$out.err" || rc=$?
        t1=$(date +%s%N)
        awk -F': ' '/Maximum resident set size/ {print $2}' "$out.time" >"$out.rss"
    else
        local hwm=0 k v _
        t0=$(date +%s%N)
        "$@" >/dev/null 2>"$out.err" &
        local pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            while read -r k v _; do
                if [[ $k == VmHWM: && $v -gt $hwm ]]; then hwm=$v; fi
            done 2>/dev/null <"/proc/$pid/status" || true
            sleep 0.02
        done
        wait "$pid" || rc=$?
        t1=$(date +%s%N)
        echo "$hwm" >"$out.rss"
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e9}' >"$out.wall"
    return "$rc"
}

median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

ROWS=()
declare -A WALL RSS

# measure KEY LABEL BYTES FILES OK_CODES CMD... : BYTES/FILES for the throughput columns
# (0 = not shown); OK_CODES e.g. "0" or "0 1" (scan exits 1 when it finds credentials).
measure() {
    local key=$1 label=$2 bytes=$3 files=$4 ok=$5
    shift 5
    local i rc walls=() rsss=()
    for ((i = 1; i <= RUNS; i++)); do
        rc=0
        run_once "$WORK/m" "$@" || rc=$?
        if [[ " $ok " != *" $rc "* ]]; then
            echo "bench.sh: error: '$label' exited $rc (expected $ok):" >&2
            sed 's/^/    /' "$WORK/m.err" | tail -20 >&2
            exit 1
        fi
        walls+=("$(cat "$WORK/m.wall")")
        rsss+=("$(cat "$WORK/m.rss")")
        note "  $label run $i/$RUNS: $(cat "$WORK/m.wall") s, peak RSS $(($(cat "$WORK/m.rss") / 1024)) MB"
    done
    local wall rss range
    wall=$(printf '%s\n' "${walls[@]}" | median)
    range=$(printf '%s\n' "${walls[@]}" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f–%.2f", lo, hi}')
    rss=$(printf '%s\n' "${rsss[@]}" | median)
    WALL[$key]=$wall
    RSS[$key]=$rss
    local mbs="" fps=""
    if [[ $bytes -gt 0 ]]; then
        mbs=$(awk -v b="$bytes" -v t="$wall" 'BEGIN {printf "%.0f", b / 1048576 / t}')
    fi
    if [[ $files -gt 0 ]]; then
        fps=$(awk -v n="$files" -v t="$wall" 'BEGIN {printf "%.0f", n / t}')
    fi
    ROWS+=("| $label | $(printf '%.2f' "$wall") | $range | ${mbs:-–} | ${fps:-–} | $(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}') |")
}

# scan_and_clean KEY BASE_KEY FILE MB : the rows `KEYscan` and `KEYclean` for FILE, and
# `BASE_KEYscan` and `BASE_KEYclean` for the BENCH_BASE build.
scan_and_clean() {
    local key=$1 bkey=$2 file=$3 mb=$4 name bytes
    name=$(basename "$file")
    bytes=$(stat -c %s "$file")
    mkdir -p "$DATA/out-${name%.*}"
    measure "${key}scan" "\`scan $name --format json -q\` ($mb MB)" "$bytes" 0 "0 1" \
        "$BIN" scan "$file" --format json -q
    measure "${key}clean" "\`clean $name --out DIR -q --force\`" "$bytes" 0 "0" \
        "$BIN" clean "$file" --out "$DATA/out-${name%.*}" -q --force
    if [[ -n $BASE_BIN ]]; then
        measure "${bkey}scan" "base $base_rev: \`scan $name --format json -q\`" "$bytes" 0 "0 1" \
            "$BASE_BIN" scan "$file" --format json -q
        measure "${bkey}clean" "base $base_rev: \`clean $name --out DIR -q --force\`" "$bytes" 0 "0" \
            "$BASE_BIN" clean "$file" --out "$DATA/out-${name%.*}" -q --force
    fi
}

# The number of findings in a report (summary.findings).
report_findings() {
    if command -v jq >/dev/null; then
        jq '.summary.findings' "$1"
    elif command -v python3 >/dev/null; then
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$1"
    else
        grep -o '"findings": *[0-9]*' "$1" | tail -1 | grep -o '[0-9]*$' || true
    fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# "busy steal total" clock ticks of all CPUs so far (from /proc/stat).
cpu_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, $9, t}' /proc/stat; }
read -r BUSY0 STEAL0 TOTAL0 < <(cpu_ticks)
LOAD_BEFORE=$(loadavg)
BIG_MB=$(awk -v b="$BIG_BYTES" 'BEGIN {printf "%.0f", b / 1048576}')
note "measuring ($RUNS runs each, median; load average $LOAD_BEFORE)…"

measure scan "\`scan big.har --format json -q\` ($BIG_MB MB)" "$BIG_BYTES" 0 "0 1" \
    "$BIN" scan "$BIG" --format json -q
mkdir -p "$DATA/out-big"
measure clean "\`clean big.har --out DIR -q --force\`" "$BIG_BYTES" 0 "0" \
    "$BIN" clean "$BIG" --out "$DATA/out-big" -q --force
[[ -s $DATA/out-big/big.har ]] || die "clean wrote no copy of $BIG"

FINDINGS=""
if [[ $WITH_REPORT == 1 ]]; then
    measure report "\`clean big.har --out DIR -q --force --report FILE\`" "$BIG_BYTES" 0 "0" \
        "$BIN" clean "$BIG" --out "$DATA/out-big" -q --force --report "$DATA/report.json"
    FINDINGS=$(report_findings "$DATA/report.json")
fi

if [[ $COUNT -gt 0 ]]; then
    mkdir -p "$DATA/out-many"
    measure many1 "\`clean many/ --out DIR -q --force -j 1\` ($COUNT files)" "$MANY_BYTES" "$COUNT" "0" \
        "$BIN" clean "$MANY" --out "$DATA/out-many" -q --force -j 1
    measure many2 "\`clean many/ --out DIR -q --force -j 2\` ($COUNT files)" "$MANY_BYTES" "$COUNT" "0" \
        "$BIN" clean "$MANY" --out "$DATA/out-many" -q --force -j 2
fi

if [[ $BASELINES == 1 ]]; then
    if command -v python3 >/dev/null; then
        measure python "baseline: \`python3 json.load\`" "$BIG_BYTES" 0 "0" \
            python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$BIG"
    else
        note "python3 not found: skipping the python baseline"
    fi
    JQ=$(command -v jq || true)
    if [[ -z $JQ && -x /usr/bin/jq ]]; then JQ=/usr/bin/jq; fi
    if [[ -n $JQ ]]; then
        measure jq "baseline: \`jq -c .\`" "$BIG_BYTES" 0 "0" "$JQ" -c . "$BIG"
    else
        note "jq not found: skipping the jq baseline"
    fi
fi
if [[ $REAL_MB -gt 0 ]]; then
    REAL_BYTES=$(stat -c %s "$REAL")
    scan_and_clean r b "$REAL" "$REAL_MB"
    if command -v python3 >/dev/null; then
        measure rpython "baseline: \`python3 json.load\` real.har" "$REAL_BYTES" 0 "0" \
            python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$REAL"
    fi
    JQ=$(command -v jq || true)
    if [[ -n $JQ ]]; then
        measure rjq "baseline: \`jq -c .\` real.har" "$REAL_BYTES" 0 "0" "$JQ" -c . "$REAL"
    fi
fi
if [[ $TOKENS_MB -gt 0 ]]; then
    scan_and_clean t bt "$TOKENS" "$TOKENS_MB"
fi
if [[ ${BUNDLE_ARGS[0]:-0} != 0 ]]; then
    BUNDLE_BYTES=$(stat -c %s "$BUNDLE")
    mkdir -p "$DATA/out-bundle"
    measure bundle "\`clean bundle.zip --out DIR -q --force\` (${BUNDLE_ARGS[0]} logs, ${BUNDLE_ARGS[1]} secrets)" "$BUNDLE_BYTES" 0 "0" \
        "$BIN" clean "$BUNDLE" --out "$DATA/out-bundle" -q --force
    if [[ -n $BASE_BIN ]]; then
        measure bbundle "base $base_rev: \`clean bundle.zip --out DIR -q --force\`" "$BUNDLE_BYTES" 0 "0" \
            "$BASE_BIN" clean "$BUNDLE" --out "$DATA/out-bundle" -q --force
    fi
fi
LOAD_AFTER=$(loadavg)
read -r BUSY1 STEAL1 TOTAL1 < <(cpu_ticks)
CPU_USE=$(awk -v b=$((BUSY1 - BUSY0)) -v s=$((STEAL1 - STEAL0)) -v t=$((TOTAL1 - TOTAL0)) \
    'BEGIN {if (t > 0) printf "CPUs %.0f%% busy (all processes), %.1f%% stolen by the hypervisor", 100 * b / t, 100 * s / t}')

# ---------------------------------------------------------------- report
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src 2>/dev/null) ]]; then
    rev="$rev+modified src/"
fi
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)

echo
echo "harscrub $rev, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($cpu)," \
    "load average $LOAD_BEFORE before / $LOAD_AFTER after"
echo "big.har: $BIG_BYTES bytes ($BIG_MB MB)$([[ $COUNT -gt 0 ]] && echo "; many/: $COUNT files, $MANY_BYTES bytes")"
echo "during the measurements: ${CPU_USE:-CPU use unknown}"
echo "median of $RUNS run(s); MB/s = input size / wall time; peak RSS from $RSS_METHOD"
echo
echo "| command | wall (s) | min–max (s) | MB/s | files/s | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
if [[ -n $FINDINGS ]]; then
    echo "findings in big.har: $FINDINGS"
fi

# Targets (from the performance issue): clean >= 650 MB/s; scan faster than clean and
# > 100 MB/s; peak RSS < 100 MB; 2 threads about twice as fast as 1 on many files.
verdict() { if awk "BEGIN {exit !($1)}"; then echo "met"; else echo "NOT met"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
clean_mbs=$(awk -v b="$BIG_BYTES" -v t="${WALL[clean]}" 'BEGIN {printf "%.0f", b / 1048576 / t}')
scan_mbs=$(awk -v b="$BIG_BYTES" -v t="${WALL[scan]}" 'BEGIN {printf "%.0f", b / 1048576 / t}')
max_rss=${RSS[clean]}
[[ ${RSS[scan]} -gt $max_rss ]] && max_rss=${RSS[scan]}
echo "targets:"
echo "- clean >= 650 MB/s end to end: $clean_mbs MB/s — $(verdict "$clean_mbs >= 650")"
echo "- scan faster than clean and > 100 MB/s: $scan_mbs MB/s — $(verdict "$scan_mbs > $clean_mbs && $scan_mbs > 100")"
echo "- peak RSS < 100 MB (scan, clean without --report): $((max_rss / 1024)) MB — $(verdict "$max_rss < 102400")"
if [[ -n ${RSS[report]:-} ]]; then
    echo "  (with --report: $((RSS[report] / 1024)) MB)"
fi
if [[ $COUNT -gt 0 ]]; then
    speedup=$(awk -v a="${WALL[many1]}" -v b="${WALL[many2]}" 'BEGIN {printf "%.2f", a / b}')
    echo "- 2 threads about 2x as fast as 1 on $COUNT files (>= 1.8x): ${speedup}x — $(verdict "$speedup >= 1.8")"
fi
if [[ $REAL_MB -gt 0 ]]; then
    echo "real.har ($REAL_MB MB of real-corpus entries), ratios of median wall times:"
    if [[ -n ${WALL[rpython]:-} ]]; then
        echo "- clean / json.load: $(ratio "${WALL[rclean]}" "${WALL[rpython]}") (target <= 0.5) — $(verdict "${WALL[rclean]} <= 0.5 * ${WALL[rpython]}")"
        echo "- scan / json.load: $(ratio "${WALL[rscan]}" "${WALL[rpython]}") (target <= 0.25) — $(verdict "${WALL[rscan]} <= 0.25 * ${WALL[rpython]}")"
    fi
    if [[ -n ${WALL[rjq]:-} ]]; then
        echo "- clean / jq: $(ratio "${WALL[rclean]}" "${WALL[rjq]}"), scan / jq: $(ratio "${WALL[rscan]}" "${WALL[rjq]}")"
    fi
    if [[ -n ${WALL[bclean]:-} ]]; then
        echo "- against $base_rev: clean $(ratio "${WALL[rclean]}" "${WALL[bclean]}")×, scan $(ratio "${WALL[rscan]}" "${WALL[bscan]}")× its time"
    fi
fi
if [[ -n ${WALL[btclean]:-} ]]; then
    echo "tokens.har against $base_rev: clean $(ratio "${WALL[tclean]}" "${WALL[btclean]}")×, scan $(ratio "${WALL[tscan]}" "${WALL[btscan]}")× its time"
fi
if [[ -n ${WALL[bbundle]:-} ]]; then
    echo "bundle.zip against $base_rev: clean $(ratio "${WALL[bundle]}" "${WALL[bbundle]}")× its time"
fi
