#!/usr/bin/env bash
# Persistence overhead on the VM benchmark programs: best of N wall times of
# `pscheme run --no-persist` against `pscheme run` on a fresh store (created with
# --insecure-kdf so the one-time key derivation is not counted). Usage:
#   persist/benches/overhead.sh PATH/TO/release/pscheme [runs]
set -euo pipefail
pscheme="$1"; runs="${2:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
export PSCHEME_PASSPHRASE=overhead-bench
best() { # command... -> best wall time in ms
    local best=""
    for _ in $(seq "$runs"); do
        rm -f "$tmp"/db*
        local t0 t1; t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N)
        local ms=$(( (t1 - t0) / 1000000 ))
        if [[ -z "$best" || "$ms" -lt "$best" ]]; then best=$ms; fi
    done
    echo "$best"
}
printf "%-12s %10s %10s %8s\n" program no-persist persist ratio
for p in "$root"/benches/programs/*.scm; do
    name=$(basename "$p" .scm)
    a=$(best "$pscheme" run --no-persist "$p")
    b=$(best "$pscheme" run --insecure-kdf --db "$tmp/db" "$p")
    printf "%-12s %8s ms %8s ms %8s\n" "$name" "$a" "$b" "$(awk "BEGIN{printf \"%.2f\", $b/($a>0?$a:1)}")"
done
