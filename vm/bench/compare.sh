#!/usr/bin/env bash
# The VM benchmark: runs every program of vm/bench/programs/ in pscheme (release build) and, when
# they are installed, in chibi-scheme and guile, and prints the best of $RUNS wall-clock times
# (default 3) side by side with the ratio other/pscheme (above 1: pscheme is faster).
# Installs nothing: `apt-get install chibi-scheme guile-3.0` adds the comparisons.
# Programs marked "pscheme only" on their first line use green processes and run only in pscheme.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-3}"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p pscheme
PSCHEME="$TARGET/release/pscheme"

# Prints the best wall-clock seconds of $RUNS runs of the command, or "-" if it fails.
best_time() {
    local best=""
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        if ! "$@" >/dev/null 2>&1; then echo "-"; return; fi
        end=$(date +%s%N)
        local t=$(( (end - start) / 1000000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    printf '%d.%03d' $((best / 1000)) $((best % 1000))
}

ratio() {
    if [ "$1" = "-" ] || [ "$2" = "-" ]; then echo "-"; else
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
    fi
}

CHIBI=$(command -v chibi-scheme || true)
GUILE=$(command -v guile || true)
printf '%-14s %10s %10s %8s %10s %8s\n' program pscheme chibi ratio guile ratio
for prog in vm/bench/programs/*.scm; do
    name=$(basename "$prog" .scm)
    ps=$(best_time "$PSCHEME" run "$prog")
    ch="-"; gu="-"
    if ! head -1 "$prog" | grep -q "pscheme only"; then
        [ -n "$CHIBI" ] && ch=$(best_time "$CHIBI" "$prog")
        [ -n "$GUILE" ] && gu=$(best_time "$GUILE" --no-auto-compile -s "$prog")
    fi
    printf '%-14s %10s %10s %8s %10s %8s\n' "$name" "$ps" "$ch" "$(ratio "$ch" "$ps")" "$gu" "$(ratio "$gu" "$ps")"
done
