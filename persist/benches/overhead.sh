#!/usr/bin/env bash
# Persistence overhead on the VM benchmark programs: best of N wall times, and best of N CPU
# times (user + system, all threads; 10 ms resolution), of `pscheme run --no-persist` against `pscheme run` on
# a fresh store (created with --insecure-kdf so the one-time key derivation is not counted).
# On a machine shared with other work, wall times measure the load as much as the program;
# CPU times are steadier, and count the writer thread's work even where it overlaps the VM's.
# Usage:
#   persist/benches/overhead.sh PATH/TO/release/pscheme [runs]
set -euo pipefail
pscheme="$1"; runs="${2:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
export PSCHEME_PASSPHRASE=overhead-bench
best() { # command... -> "best-wall-ms best-cpu-ms"
    local wall="" cpu=""
    for _ in $(seq "$runs"); do
        rm -f "$tmp"/db*
        local t0 t1 w c
        t0=$(date +%s%N)
        /usr/bin/time -f "%U %S" -o "$tmp/time" "$@" > /dev/null
        t1=$(date +%s%N)
        w=$(( (t1 - t0) / 1000000 ))
        c=$(awk '{printf "%d", ($1 + $2) * 1000}' "$tmp/time")
        if [[ -z "$wall" || "$w" -lt "$wall" ]]; then wall=$w; fi
        if [[ -z "$cpu" || "$c" -lt "$cpu" ]]; then cpu=$c; fi
    done
    echo "$wall $cpu"
}
ratio() { awk "BEGIN{printf \"%.2f\", $2/($1>0?$1:1)}"; }
printf "%-12s %9s %9s %6s   %9s %9s %6s\n" program wall-mem wall-pdb ratio cpu-mem cpu-pdb ratio
for p in "$root"/benches/programs/*.scm; do
    name=$(basename "$p" .scm)
    read -r aw ac < <(best "$pscheme" run --no-persist "$p")
    read -r bw bc < <(best "$pscheme" run --insecure-kdf --db "$tmp/db" "$p")
    printf "%-12s %6s ms %6s ms %6s   %6s ms %6s ms %6s\n" "$name" "$aw" "$bw" "$(ratio "$aw" "$bw")" \
        "$ac" "$bc" "$(ratio "$ac" "$bc")"
done
