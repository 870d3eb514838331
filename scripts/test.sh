#!/usr/bin/env bash
# Run stowaway's whole test suite on a Debian machine: install the system packages the tests
# need, build the fixture images, start a Docker Engine if none runs, then run the tests.
# Needs root, because apt-get, debootstrap and dockerd do.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

log() {
    printf 'test: %s\n' "$*" >&2
}

[[ $EUID -eq 0 ]] || { log "error: run as root (sudo -E scripts/test.sh), because apt-get and the fixture build need it"; exit 1; }
command -v cargo >/dev/null || { log "error: cargo not found; install the Rust 1.95 toolchain with rustup"; exit 1; }

# debootstrap and zstd build the fixtures, python3-pip downloads the pip wheel that runs in
# the image, ca-certificates lets pip reach the package index, and gpgv with the archive
# keyring lets debootstrap verify the mirror's Release file. The registry tests start
# docker-registry on 127.0.0.1, push images into it with skopeo, and write the htpasswd file
# of the basic-auth registry with htpasswd from apache2-utils.
log "installing system packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq debootstrap zstd python3 python3-pip ca-certificates gpgv debian-archive-keyring \
    docker-registry skopeo apache2-utils >/dev/null

# The image tests load a fixture into the Docker Engine. A host without a running engine
# gets Debian's docker.io, and this script starts dockerd and stops it on exit.
dockerd_pid=""
if ! docker info >/dev/null 2>&1; then
    log "no running Docker Engine, starting dockerd from docker.io"
    apt-get install -y -qq docker.io >/dev/null
    dockerd >/tmp/stowaway-test-dockerd.log 2>&1 &
    dockerd_pid=$!
    trap 'kill "$dockerd_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null || { log "error: dockerd did not start; see /tmp/stowaway-test-dockerd.log"; exit 1; }
fi

export STOWAWAY_SHARED_DIR="${STOWAWAY_SHARED_DIR:-$repo/../shared}"
log "building the image fixtures"
STOWAWAY_FIXTURES_DIR=$(scripts/build-fixtures.sh)
export STOWAWAY_FIXTURES_DIR
log "fixtures in $STOWAWAY_FIXTURES_DIR"

# Incremental state roughly doubles the size of a test build and buys nothing on a build
# that runs once, so CI turns it off.
if [[ -n "${CI:-}" ]]; then
    export CARGO_INCREMENTAL=0
fi
log "running the tests ($(df -h --output=avail . | tail -1 | tr -d ' ') free on the disk of $repo)"
cargo test --workspace --locked
