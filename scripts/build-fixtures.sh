#!/usr/bin/env bash
# Build the container image fixtures that stowaway's integration tests read.
#
# Output: ${STOWAWAY_FIXTURES_DIR:-$HOME/.cache/stowaway/fixtures}, printed on stdout at the
# end, and progress goes to stderr. The folder is reused while its `key` file matches the
# hash of these scripts, the package lists and the planted npm manifests. docs/fixtures.md
# describes the fixtures.
#
# A rebuild needs root (debootstrap and chroot), network access to the Debian mirror
# named in the host's apt sources and to the Python package index, and the Debian
# packages that scripts/test.sh installs (debootstrap, zstd, python3-pip and others).
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
helpers="$repo/scripts/fixtures"
shared="${STOWAWAY_SHARED_DIR:-$repo/../shared}"
out="${STOWAWAY_FIXTURES_DIR:-$HOME/.cache/stowaway/fixtures}"
[[ "$out" == /* ]] || out="$PWD/$out"

# Mtimes above this are clamped in every layer, and crafted entries get exactly this
# (2023-11-14T22:13:20Z). Changing it changes every digest.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"
export PYTHONDONTWRITEBYTECODE=1

log() {
    printf 'build-fixtures: %s\n' "$*" >&2
}

die() {
    printf 'build-fixtures: error: %s\n' "$*" >&2
    exit 1
}

# Print the lines of a list file without comments and blank lines.
list_items() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"
}

compute_key() {
    {
        (cd "$repo" && sha256sum scripts/build-fixtures.sh scripts/fixtures/*.py scripts/fixtures/*.txt)
        while read -r name version; do
            (cd "$shared/data/npm-packages" && sha256sum "$name-$version/package.json")
        done < <(list_items "$helpers/npm-packages.txt")
        echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    } | sha256sum | cut -d ' ' -f 1
}

fixtures_complete() {
    local path
    for path in key debian/docker-archive.tar debian/oci.tar debian/oci/index.json debian/expectations.json \
        apps/docker-archive.tar apps/oci.tar apps/oci/index.json apps/expectations.json multi/docker-archive.tar \
        stowaways/docker-archive.tar stowaways/oci/index.json stowaways/expectations.json; do
        [[ -e "$out/$path" ]] || return 1
    done
}

# Delete what differs between two debootstrap runs of the same packages, and what a
# container runtime supplies: host-copied hostname and resolver config, logs with
# timestamps, the ldconfig cache (inode numbers), the downloaded .debs and the apt lists.
normalize_root() {
    local root=$1
    rm -f "$root/etc/hostname" "$root/etc/resolv.conf" \
        "$root/var/log/bootstrap.log" "$root/var/log/dpkg.log" "$root/var/log/alternatives.log" \
        "$root/var/cache/ldconfig/aux-cache" "$root"/var/cache/apt/*.bin
    find "$root/var/cache/apt/archives" "$root/var/lib/apt/lists" -type f -delete
}

run_debootstrap() {
    local root=$1
    shift
    log "debootstrap $suite into $root $*"
    debootstrap --variant=minbase --cache-dir="$work/debs" "$@" "$suite" "$root" "$mirror" >&2
    normalize_root "$root"
}

# Install the pinned Python packages with the image's own python3 inside a copy of the apps
# root, so that the bytecode-free output matches the image's Python version. pip comes
# as a wheel downloaded on the host, because the image has no pip.
install_python_packages() {
    local pip_root="$work/pip-root" wheels="$work/pip-wheel"
    local pip_pin ca_bundle
    pip_pin=$(list_items "$helpers/python-tools.txt" | grep '^pip==')
    ca_bundle="${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
    [[ -f "$ca_bundle" ]] || die "CA bundle \`$ca_bundle\` not found; install ca-certificates or set PIP_CERT"

    log "downloading $pip_pin"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheels" "$pip_pin" >&2

    log "copying the apps root to run pip in it"
    cp -a "$work/apps" "$pip_root"
    mkdir -p "$pip_root/tmp/stowaway"
    cp "$wheels"/pip-*.whl "$helpers/python-requirements.txt" "$helpers/python-tools.txt" "$pip_root/tmp/stowaway/"
    cp "$ca_bundle" "$pip_root/tmp/stowaway/ca.crt"
    cp /etc/resolv.conf "$pip_root/etc/resolv.conf"

    log "pip install into the image's dist-packages"
    local pip_wheel
    pip_wheel=$(cd "$pip_root/tmp/stowaway" && ls pip-*.whl)
    # A clean environment keeps the host's pip settings (find-links, index options that
    # point to host paths) out of the chroot; proxy settings pass through.
    chroot "$pip_root" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
        ${no_proxy:+no_proxy=$no_proxy} ${PIP_INDEX_URL:+PIP_INDEX_URL=$PIP_INDEX_URL} \
        PIP_CERT=/tmp/stowaway/ca.crt PIP_CONSTRAINT=/tmp/stowaway/python-tools.txt \
        PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        python3 "/tmp/stowaway/$pip_wheel/pip" install --quiet --no-cache-dir --no-compile \
        --no-warn-script-location --target /tmp/stowaway/site \
        --requirement /tmp/stowaway/python-requirements.txt >&2

    mv "$pip_root/tmp/stowaway/site" "$work/python-site"
    python_version=$(chroot "$pip_root" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    rm -rf "$pip_root"
}

main() {
    key=$(compute_key)
    if fixtures_complete && [[ "$(cat "$out/key")" == "$key" ]]; then
        echo "$out"
        return 0
    fi

    [[ $EUID -eq 0 ]] || die "rebuilding the fixtures needs root for debootstrap and chroot"
    # On a fresh Debian machine the build tools are missing: install them, as scripts/test.sh does.
    if ! command -v debootstrap >/dev/null || ! command -v zstd >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
        log "installing debootstrap, zstd and python3-pip with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap zstd python3 python3-pip ca-certificates \
            gpgv debian-archive-keyring >&2
    fi
    local tool
    for tool in debootstrap zstd python3 chroot sha256sum; do
        command -v "$tool" >/dev/null || die "\`$tool\` not found; scripts/test.sh lists the Debian packages to install"
    done

    log "building fixtures in $out"
    mkdir -p "$out"
    rm -f "$out/key"
    work="$out/.work"
    rm -rf "$work"
    mkdir -p "$work/debs"
    trap 'rm -rf "$work"' EXIT

    mirror=$(python3 "$helpers/apt_sources.py")
    # Debian 13 (trixie) is the current stable release. A mirror that does not serve it
    # yet gets bookworm, and the expectations record which suite was used.
    if python3 "$helpers/apt_sources.py" --has-suite trixie; then
        suite=trixie
    else
        log "the mirror does not serve trixie, falling back to bookworm"
        suite=bookworm
    fi

    local apps_packages
    apps_packages=$(list_items "$helpers/apps-debian-packages.txt" | paste -sd, -)
    run_debootstrap "$work/base"
    run_debootstrap "$work/apps" --include="$apps_packages"
    install_python_packages

    python3 "$helpers/build.py" \
        --base "$work/base" --apps "$work/apps" --apps-packages "$apps_packages" \
        --python-site "$work/python-site" --python-version "$python_version" \
        --python-requirements "$helpers/python-requirements.txt" \
        --npm-packages "$shared/data/npm-packages" --npm-list "$helpers/npm-packages.txt" \
        --suite "$suite" --out "$work/out"

    rm -rf "$out/debian" "$out/apps" "$out/multi" "$out/stowaways"
    mv "$work/out/debian" "$work/out/apps" "$work/out/multi" "$work/out/stowaways" "$out/"
    echo "$key" >"$out/key"
    log "done"
    echo "$out"
}

main "$@"
