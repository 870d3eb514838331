#!/usr/bin/env bash
# Measure how fast stowaway-image reads the layers of the Debian fixture image, against the
# floor of decompressing every layer blob once, and the walker's peak memory.
#
# Usage: benches/layer-throughput.sh
#
# 1. Finds the fixtures: $STOWAWAY_FIXTURES_DIR when it has `debian/`, else the folder that
#    scripts/build-fixtures.sh prints (it builds them when its cache is stale).
# 2. Runs the criterion bench crates/stowaway-image/benches/read_layers.rs: the floor
#    (flate2 with zlib-rs for gzip, zstd for zstd, one core), then Walker over the OCI layout
#    folder and the docker-archive on rayon pools of 1 and 2 threads, without and with an
#    analyzer that reads 4 KiB of every file.
# 3. Prints, from criterion's estimates, the MB/s of uncompressed output and the ratio of
#    each walk's time to the floor of the same form.
# 4. Runs crates/stowaway-image/examples/walk.rs under `/usr/bin/time -v` for the peak RSS.
#
# Targets: one thread within 1.2x of the floor, two threads below it, peak RSS under 64 MiB.
# Results are only comparable on an otherwise idle machine; the machine line says which.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

log() {
    printf 'layer-throughput: %s\n' "$*" >&2
}

if [[ -n "${STOWAWAY_FIXTURES_DIR:-}" && -d "$STOWAWAY_FIXTURES_DIR/debian" ]]; then
    fixtures="$STOWAWAY_FIXTURES_DIR"
else
    log "building or reusing the fixtures (scripts/build-fixtures.sh)"
    fixtures=$("$repo/scripts/build-fixtures.sh")
fi
export STOWAWAY_FIXTURES_DIR="$fixtures"
debian="$fixtures/debian"
[[ -d "$debian/oci" && -f "$debian/docker-archive.tar" ]] || { log "error: no Debian fixture in \`$debian\`"; exit 1; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
printf 'machine: %s, %s cores, %s; %s\n' "$cpu" "$(nproc)" "$(rustc --version)" "$(uptime | sed 's/.*load/load/')"
printf 'fixture: %s\n' "$debian"

log "running the criterion bench (about 3 minutes)"
(cd "$repo" && cargo bench -p stowaway-image --bench read_layers) >&2

python3 - "$CARGO_TARGET_DIR/criterion" <<'EOF'
import json
import sys
from pathlib import Path

root = Path(sys.argv[1])


def measure(*parts):
    """Return (mean seconds, uncompressed bytes) of one benchmark from criterion's files."""
    folder = root.joinpath(*parts, "new")
    seconds = json.loads((folder / "estimates.json").read_text())["mean"]["point_estimate"] / 1e9
    throughput = json.loads((folder / "benchmark.json").read_text())["throughput"]
    return seconds, next(iter(throughput.values()))


print(f"{'benchmark':38} {'mean':>9} {'MB/s':>7} {'x floor':>8}  target")
for form in ("oci", "docker-archive"):
    floor_seconds, size = measure("floor", form)
    print(f"{'floor/' + form:38} {floor_seconds * 1e3:7.1f}ms {size / floor_seconds / 1e6:7.0f} {1:8.2f}")
    for group in ("walk", "walk_all_files"):
        for threads, limit in ((1, 1.2), (2, 1.0)):
            seconds, _ = measure(group, form, f"threads-{threads}")
            ratio = seconds / floor_seconds
            verdict = "met" if ratio <= limit else "MISSED"
            name = f"{group}/{form}/threads-{threads}"
            print(f"{name:38} {seconds * 1e3:7.1f}ms {size / seconds / 1e6:7.0f} {ratio:8.2f}  <= {limit}x {verdict}")
EOF

log "building the walk example"
(cd "$repo" && cargo build --release -p stowaway-image --example walk) >&2
walk="$CARGO_TARGET_DIR/release/examples/walk"

for reference in "oci:$debian/oci" "docker-archive:$debian/docker-archive.tar"; do
    for threads in 1 2; do
        report=$(mktemp)
        summary=$(RAYON_NUM_THREADS=$threads /usr/bin/time -v "$walk" "$reference" 2>"$report")
        rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$report")
        rm -f -- "$report"
        verdict=$([[ $rss_kib -lt $((64 * 1024)) ]] && echo met || echo MISSED)
        printf 'peak RSS %-15s threads-%s: %6.1f MiB (< 64 MiB %s); %s\n' \
            "${reference%%:*}" "$threads" "$(awk -v kib="$rss_kib" 'BEGIN { print kib / 1024 }')" "$verdict" "$summary"
    done
done
