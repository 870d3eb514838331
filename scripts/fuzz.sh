#!/usr/bin/env bash
# Build the stowaway-image fuzz targets and run each for SECONDS (default 600), one after
# the other, then print one summary line per target: runs, coverage, corpus size, crashes.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
# cargo fuzz needs nightly-only rustc flags (`-Zsanitizer=address`). The toolchain here is
# stable Rust 1.95, which ships the AddressSanitizer runtime but rejects `-Z` flags, so the
# build runs with RUSTC_BOOTSTRAP=1, which lets stable rustc accept them:
#
#     cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build
#
# Where the ASan runtime is missing, `cargo fuzz build --sanitizer none` needs no `-Z` flag
# for the sanitizer and still gives coverage-guided fuzzing, without memory error reports.
# The targets then run as plain binaries, so no cargo command runs during the fuzzing:
#
#     target/x86_64-unknown-linux-gnu/release/TARGET -fork=1 -ignore_crashes=1 ... fuzz/corpus/TARGET
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`; 0.13.2 tested), python3 and,
# for the zstd seeds, the zstd command. Crash inputs land in fuzz/artifacts/TARGET/, the
# libFuzzer log in fuzz/artifacts/TARGET.log. fuzz/regressions/TARGET/ keeps the inputs
# reported to the crate's owners; the script runs them once before fuzzing.
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
fuzz="$repo/fuzz"
seconds="${1:-600}"
shift || true
all_targets=(layer_walk docker_archive oci_layout manifest_json oci_index image_config rpm_header rpm_bdb rpm_ndb rpm_sqlite catalog_dpkg_status catalog_apk_installed catalog_java_archive detect_layer)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
binaries="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"

log() {
    printf 'fuzz: %s\n' "$*" >&2
}

[[ "$seconds" =~ ^[0-9]+$ ]] || { log "error: SECONDS must be a whole number, got \`$seconds\`"; exit 2; }
command -v cargo-fuzz >/dev/null || { log "error: cargo-fuzz not found; install it with \`cargo install cargo-fuzz --locked\`"; exit 2; }

log "writing seed corpora"
python3 "$fuzz/seeds.py" "$fuzz"

log "building the targets (RUSTC_BOOTSTRAP=1 cargo fuzz build)"
(cd "$fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz build)

# The targets write each input to a file, because image sources are opened by path; a
# folder in memory keeps that off the disk.
scratch_parent=/dev/shm
[[ -d "$scratch_parent" && -w "$scratch_parent" ]] || scratch_parent="${TMPDIR:-/tmp}"
scratch=$(mktemp -d "$scratch_parent/stowaway-fuzz.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
export STOWAWAY_FUZZ_SCRATCH="$scratch"
# One layer thread keeps each job on one core; the machine has two and others build on it.
export RAYON_NUM_THREADS=1

summaries=()

# The inputs in fuzz/regressions/ once hung or exhausted memory. Each must now finish within
# the timeout without an allocation over 32 MiB; a FAILED line means one is back (or still open).
for target in "${targets[@]}"; do
    regressions=("$fuzz/regressions/$target"/*)
    [[ -f "${regressions[0]}" ]] || continue
    mkdir -p "$fuzz/artifacts"
    logfile="$fuzz/artifacts/$target.regressions.log"
    log "checking ${#regressions[@]} regression inputs of $target (log: $logfile)"
    if "$binaries/$target" -timeout=10 -malloc_limit_mb=32 -rss_limit_mb=2048 "${regressions[@]}" >"$logfile" 2>&1; then
        summaries+=("$target: ${#regressions[@]} regression inputs pass")
    else
        summaries+=("$target: regression inputs FAILED, see $logfile")
    fi
    log "${summaries[-1]}"
done

for target in "${targets[@]}"; do
    corpus="$fuzz/corpus/$target"
    artifacts="$fuzz/artifacts/$target"
    logfile="$fuzz/artifacts/$target.log"
    mkdir -p "$corpus" "$artifacts"
    crashes_before=$(find "$artifacts" -type f | wc -l)

    log "running $target for ${seconds}s (log: $logfile)"
    # -fork=1 runs the inputs in a child process and goes on after a crash, timeout or OOM,
    # so one finding does not end the whole run. -timeout=10 reports an input that takes
    # more than 10 s as a hang; -rss_limit_mb=2048 reports unbounded memory.
    "$binaries/$target" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$fuzz/dictionaries/image.dict" \
        -artifact_prefix="$artifacts/" \
        "$corpus" >"$logfile" 2>&1 || log "$target: libFuzzer exited with status $?"

    # Fork mode status lines read `#RUNS: cov: N ft: N corp: N exec/s: N oom/timeout/crash: A/B/C ...`.
    status=$(grep -E '^#[0-9]+: cov:' "$logfile" | tail -n 1 || true)
    runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$status")
    cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$status")
    ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$status")
    failures=$(sed -E 's|.*oom/timeout/crash: ([0-9/]+).*|\1|' <<<"$status")
    corpus_files=$(find "$corpus" -type f | wc -l)
    crashes_after=$(find "$artifacts" -type f | wc -l)
    summary="$target: ${seconds}s, ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?}, corpus $corpus_files files, oom/timeout/crash ${failures:-?}, $((crashes_after - crashes_before)) new artifacts"
    summaries+=("$summary")
    log "$summary"
done

printf '%s\n' "${summaries[@]}"
