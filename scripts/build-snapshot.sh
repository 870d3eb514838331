#!/usr/bin/env bash
# Build the advisory database snapshot that stowaway embeds, from the shared feeds: facts only
# (no summaries), compressed with zstd, with its SHA-256 and size recorded for the check at
# unpacking. Run it after the shared feeds or the importers change; the advisory tests fail
# while the committed snapshot differs from what this script builds.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
shared="${STOWAWAY_SHARED_DIR:-$repo/../shared}"
out="$repo/crates/stowaway-advisory/snapshot"

log() {
    printf 'snapshot: %s\n' "$*" >&2
}

command -v zstd >/dev/null || { log "error: zstd not found; install it (apt-get install zstd)"; exit 1; }
[[ -d "$shared/data/advisories" ]] || { log "error: no feeds at $shared/data/advisories; set STOWAWAY_SHARED_DIR"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "building the database from $shared/data/advisories"
(cd "$repo" && RUST_LOG=error cargo run --quiet --locked -p stowaway -- db build --facts-only \
    --from "$shared/data/advisories" --output "$work/stowaway.db" >/dev/null)

log "compressing"
zstd -19 --quiet "$work/stowaway.db" -o "$work/stowaway.db.zst"
sha256=$(sha256sum "$work/stowaway.db" | cut -d' ' -f1)
size=$(stat -c %s "$work/stowaway.db")

mkdir -p "$out"
mv "$work/stowaway.db.zst" "$out/stowaway.db.zst"
printf '{"sha256": "%s", "size": %s}\n' "$sha256" "$size" >"$out/stowaway.db.json"
log "wrote $out/stowaway.db.zst ($(stat -c %s "$out/stowaway.db.zst") bytes, $size bytes unpacked, sha256 $sha256)"
