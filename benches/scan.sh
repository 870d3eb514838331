#!/usr/bin/env bash
# Measure a whole `stowaway scan` on the real fixture images, and the share of it spent matching.
#
# Usage: benches/scan.sh [RUNS]   (default 5 runs per image)
#
# 1. Builds the release binary and a database from the shared feeds ($STOWAWAY_SHARED_DIR,
#    default ../shared beside the repository).
# 2. For the debian and apps fixtures (OCI layouts, from scripts/build-fixtures.sh), runs one
#    cold scan, then RUNS warm ones. Cold: the database is copied to a new file and the kernel's
#    page cache is dropped first when this process may (root outside a container). The line
#    prints whether it was. Warm: the same scan again, with files in the page cache.
# 3. Prints the wall time of each scan and, from the `scan phases` debug line, the time spent
#    reading and cataloging the image and the time spent matching, with matching's share.
#
# Target: matching under 10% of the scan time. Results are only comparable on an otherwise idle
# machine.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
runs="${1:-5}"
shared="${STOWAWAY_SHARED_DIR:-$repo/../shared}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

log() {
    printf 'scan-bench: %s\n' "$*" >&2
}

fixtures=$("$repo/scripts/build-fixtures.sh")
log "building the release binary"
cargo build --release --locked -p stowaway --manifest-path "$repo/Cargo.toml" >&2
binary="$CARGO_TARGET_DIR/release/stowaway"

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
"$binary" db build --from "$shared/data/advisories" --output "$work/db.sqlite" >/dev/null 2>&1

# Runs one scan and prints: wall milliseconds, catalog milliseconds, match milliseconds.
scan_once() {
    local database=$1 image=$2 start end phases
    start=$(date +%s%N)
    phases=$(NO_COLOR=1 RUST_LOG=debug "$binary" scan -q --format json --db "$database" "$image" 2>&1 >/dev/null | grep 'scan phases' || true)
    end=$(date +%s%N)
    local catalog match
    catalog=$(sed -n 's/.*catalog_ms=\([0-9]*\).*/\1/p' <<<"$phases")
    match=$(sed -n 's/.*match_ms=\([0-9]*\).*/\1/p' <<<"$phases")
    printf '%d %s %s\n' $(((end - start) / 1000000)) "${catalog:-?}" "${match:-?}"
}

printf 'machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-8s %-5s %8s %10s %8s %7s\n' IMAGE RUN WALL_MS CATALOG_MS MATCH_MS MATCH%
for name in debian apps; do
    image="oci:$fixtures/$name/oci"
    cp "$work/db.sqlite" "$work/cold.sqlite"
    dropped=no
    if sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then dropped=yes; fi
    read -r wall catalog match < <(scan_once "$work/cold.sqlite" "$image")
    printf '%-8s %-5s %8s %10s %8s %6s%%  (page cache dropped: %s)\n' "$name" cold "$wall" "$catalog" "$match" "$(awk -v m="$match" -v w="$wall" 'BEGIN { printf "%.1f", 100 * m / w }')" "$dropped"
    for run in $(seq 1 "$runs"); do
        read -r wall catalog match < <(scan_once "$work/db.sqlite" "$image")
        printf '%-8s %-5s %8s %10s %8s %6s%%\n' "$name" "warm$run" "$wall" "$catalog" "$match" "$(awk -v m="$match" -v w="$wall" 'BEGIN { printf "%.1f", 100 * m / w }')"
    done
done
