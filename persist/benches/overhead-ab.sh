#!/usr/bin/env bash
# Persistence overhead of two builds side by side: for each VM benchmark program, runs
# `pscheme run --no-persist` and `pscheme run` on a fresh store (created with --insecure-kdf,
# so the one-time key derivation is not counted) with build A and with build B, RUNS times
# in turn, so that both see the same drift of the machine. Odd rounds run A then B, in
# memory then persisted; even rounds the reverse, so no run always follows the same one.
# Prints best and median wall times in ms, and the persisted / in-memory ratio of each
# build's best and of its medians.
# With OVERHEAD_ALL=1, also prints every persisted time of each build, sorted: a program
# whose runs fall in two groups (deep: its large wave absorbed at the end, or committed and
# then deleted) shows both, which a median hides.
# Usage:
#   persist/benches/overhead-ab.sh PATH/TO/A/pscheme PATH/TO/B/pscheme [runs] [program...]
set -euo pipefail
a="$1"; b="$2"; runs="${3:-5}"; shift $(( $# < 3 ? $# : 3 ))
root="$(cd "$(dirname "$0")/../.." && pwd)"
programs=("$@")
if [[ ${#programs[@]} -eq 0 ]]; then
    for p in "$root"/benches/programs/*.scm; do programs+=("$(basename "$p" .scm)"); done
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
export PSCHEME_PASSPHRASE=overhead-bench
ms() { # command... -> wall milliseconds
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
best() { sort -n "$1" | head -1; }
median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk "BEGIN{printf \"%.2f\", $2/($1>0?$1:1)}"; }
printf "%-10s %11s %11s %11s %11s   %-11s %-11s\n" program A-mem A-pdb B-mem B-pdb \
    "A best/med" "B best/med"
for name in "${programs[@]}"; do
    p="$root/benches/programs/$name.scm"
    for f in am ap bm bp; do : > "$tmp/$f"; done
    for round in $(seq "$runs"); do
        builds="a b" modes="m p"
        if (( round % 2 == 0 )); then builds="b a" modes="p m"; fi
        for build in $builds; do
            bin=${!build}
            for mode in $modes; do
                if [[ $mode == m ]]; then
                    ms "$bin" run --no-persist "$p" >> "$tmp/${build}m"
                else
                    rm -f "$tmp"/db*
                    ms "$bin" run --insecure-kdf --db "$tmp/db" "$p" >> "$tmp/${build}p"
                fi
            done
        done
    done
    cell() { printf "%4s/%-4s" "$(best "$tmp/$1")" "$(median "$tmp/$1")"; }
    printf "%-10s %11s %11s %11s %11s   %-11s %-11s\n" "$name" "$(cell am)" "$(cell ap)" \
        "$(cell bm)" "$(cell bp)" \
        "$(ratio "$(best "$tmp/am")" "$(best "$tmp/ap")")/$(ratio "$(median "$tmp/am")" "$(median "$tmp/ap")")" \
        "$(ratio "$(best "$tmp/bm")" "$(best "$tmp/bp")")/$(ratio "$(median "$tmp/bm")" "$(median "$tmp/bp")")"
    if [[ -n "${OVERHEAD_ALL:-}" ]]; then
        for build in a b; do
            echo "    ${build^^} persisted: $(sort -n "$tmp/${build}p" | tr '\n' ' ')"
        done
    fi
done
