#!/usr/bin/env bash
# Time `stowaway db update` against a loopback HTTP server that serves the shared feeds: a first
# run that downloads everything, then a second run whose requests all get 304 Not Modified.
# Python's http.server sends Last-Modified and responds to If-Modified-Since with 304.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
feeds="${STOWAWAY_SHARED_DIR:-$repo/../shared}/data/advisories"
port="${BENCH_PORT:-18765}"
stowaway="${STOWAWAY_BIN:-$repo/target/release/stowaway}"

log() {
    printf 'bench: %s\n' "$*" >&2
}

[[ -x "$stowaway" ]] || { log "error: no binary at $stowaway; run cargo build --release -p stowaway"; exit 1; }
[[ -d "$feeds" ]] || { log "error: no feeds at $feeds; set STOWAWAY_SHARED_DIR"; exit 1; }

work=$(mktemp -d)
python3 -m http.server --bind 127.0.0.1 --directory "$feeds" "$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server"; rm -rf "$work"' EXIT
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
    sleep 0.1
done

url="http://127.0.0.1:$port"
feed() {
    local name=$1 kind=$2
    shift 2
    local urls=()
    for path in "$@"; do urls+=("\"$url/$path\""); done
    printf '\n[[feeds]]\nname = "%s"\nkind = "%s"\nurls = [%s]\n' "$name" "$kind" "$(IFS=,; echo "${urls[*]}")"
}
{
    feed go-vulndb-osv osv osv/go-vulndb-osv.tar.zst
    feed pypa-advisory-db osv osv/pypa-advisory-db.tar.zst
    feed rustsec-osv osv osv/rustsec-osv.tar.zst
    feed ruby-advisory-db rubysec native/ruby-advisory-db.tar.zst
    feed nodejs-security-wg-vuln nodejs-security-wg native/nodejs-security-wg-vuln.tar.zst
    feed alpine-secdb-json alpine-secdb $(cd "$feeds" && ls alpine-secdb/json/*/*.json | sort)
    feed debian-tracker debian-tracker debian/tracker-json-sample.json
    feed debian-dsa debian-list debian/DSA-list.gz
    feed debian-dla debian-list debian/DLA-list.gz
    feed cisa-kev cisa-kev kev/known_exploited_vulnerabilities.json.gz
    feed first-epss first-epss epss/epss_scores-sample.csv
} >"$work/feeds.toml"

export STOWAWAY_DB="$work/db/stowaway.db" STOWAWAY_CACHE_DIR="$work/cache" RUST_LOG=error
for run in first second; do
    start=$(date +%s.%N)
    "$stowaway" db update --config "$work/feeds.toml" >"$work/$run.out"
    end=$(date +%s.%N)
    log "$run run: $(python3 -c "print(f'{$end - $start:.2f}')") s, $(grep -c 'not modified' "$work/$run.out") of $(($(wc -l <"$work/$run.out") - 2)) files not modified"
done
