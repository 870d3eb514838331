//! The detector: compiled rules, the analyzers it adds to the walk, and the assembly of
//! detections once the walk is done.

use stowaway_image::{Analyzer, Image, ImageView};
use stowaway_model::LayerRef;

use crate::allowlist::CompiledAllowlist;
use crate::candidate::Candidate;
use crate::content::{ContentAnalyzer, FileScan};
use crate::detection::lowered_for_deleted;
use crate::heuristics::heuristic_by_id;
use crate::image_config::redact;
use crate::packages::PackageFiles;
use crate::rules::RuleSet;
use crate::system_files::SystemFilesAnalyzer;
use crate::{DetectError, DetectOptions, Detection, DetectionKind, filesystem, image_config, persistence};

/// Position of the content analyzer among those [`Detector::analyzers`] returns.
const CONTENT_ANALYZER: usize = 0;
/// Position of the system files analyzer.
const SYSTEM_FILES_ANALYZER: usize = 1;

/// Finds malware, persistence, suspicious files and secrets in an image.
///
/// Build it once per scan, register [`Detector::analyzers`] on the walker after the other
/// analyzers, run the walk, then call [`Detector::detections`].
pub struct Detector {
    options: DetectOptions,
    content: ContentAnalyzer,
    allowlist: CompiledAllowlist,
    system_files: SystemFilesAnalyzer,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector").field("options", &self.options).finish_non_exhaustive()
    }
}

impl Detector {
    /// Compiles the bundled rules and the user's rule files, and checks the allowlist.
    ///
    /// # Errors
    ///
    /// A rule file that does not compile (the message names its file and line), a rule path
    /// that cannot be read, a folder without rule files, or an invalid allowlist glob.
    pub fn new(options: DetectOptions) -> Result<Detector, DetectError> {
        let rules = RuleSet::compile(&options.rules)?;
        let allowlist = CompiledAllowlist::new(&options.allowlist)?;
        let content = ContentAnalyzer::new(rules, options.scanners, options.max_file_size);
        Ok(Detector { options, content, allowlist, system_files: SystemFilesAnalyzer::new() })
    }

    /// Returns the analyzers to add to the walker, in this order; pass the walker position of
    /// the first one to [`Detector::detections`]. With every scanner off there are none.
    pub fn analyzers(&self) -> Vec<&dyn Analyzer> {
        if !self.options.scanners.any() {
            return Vec::new();
        }
        vec![&self.content, &self.system_files]
    }

    /// Assembles the detections of a finished walk, most severe first. `first_analyzer` is the
    /// walker position of the first analyzer that [`Detector::analyzers`] returned.
    pub fn detections(&self, image: &Image, view: &ImageView, first_analyzer: usize) -> Vec<Detection> {
        let _span = tracing::debug_span!("detections", first_analyzer).entered();
        let scanners = self.options.scanners;
        if !scanners.any() {
            return Vec::new();
        }
        let content = first_analyzer + CONTENT_ANALYZER;
        let system = first_analyzer + SYSTEM_FILES_ANALYZER;
        let packages = PackageFiles::collect(view, system);

        let mut candidates = content_candidates(view, content, &packages);
        candidates.extend(image_config::check(image, self.content.rules(), scanners));
        if scanners.malware {
            candidates.extend(persistence::check(view, system, &packages));
        }
        candidates.extend(filesystem::check(&view.tree, &packages).into_iter().filter(|candidate| {
            let is_misconfig = candidate.kind == DetectionKind::Misconfiguration;
            if is_misconfig { scanners.misconfig } else { scanners.malware }
        }));

        // Each family's checks gate themselves, and this filter keeps that true for checks that
        // mix families (a history line can show a miner and a token).
        let mut detections: Vec<Detection> = candidates
            .into_iter()
            .filter(|candidate| match candidate.kind {
                DetectionKind::Secret => scanners.secret,
                DetectionKind::Misconfiguration => scanners.misconfig,
                _ => scanners.malware,
            })
            .filter(|candidate| !self.allowlist.allows(&candidate.rule_id, candidate.path.as_deref()))
            .map(|candidate| self.finish(candidate, image, view))
            .collect();
        detections.sort_by(|a, b| (b.severity, &a.rule_id, &a.path).cmp(&(a.severity, &b.rule_id, &b.path)));
        detections.dedup();
        tracing::debug!(detections = detections.len(), "detections assembled");
        detections
    }

    /// Adds the layer reference and its history line, with secrets in them masked.
    fn finish(&self, candidate: Candidate, image: &Image, view: &ImageView) -> Detection {
        let layer = candidate.layer.and_then(|index| layer_ref(image, view, index)).map(|mut layer| {
            layer.created_by = layer.created_by.map(|line| redact(&line, self.content.rules()));
            layer
        });
        // Secret excerpts are masked already; any other excerpt is a line of a file or a
        // command, which may hold a token too.
        let excerpt = match candidate.kind {
            DetectionKind::Secret => candidate.excerpt,
            _ => candidate.excerpt.map(|line| redact(&line, self.content.rules())),
        };
        Detection {
            kind: candidate.kind,
            rule_id: candidate.rule_id,
            severity: candidate.severity,
            title: candidate.title,
            path: candidate.path,
            history: layer.as_ref().and_then(|layer| layer.created_by.clone()),
            layer,
            excerpt,
            why: candidate.why,
            deleted_in_final_image: candidate.deleted,
        }
    }
}

/// Turns the content analyzer's facts into candidates: rule hits on every file, visible or
/// deleted, and package files whose digest changed.
fn content_candidates(view: &ImageView, analyzer: usize, packages: &PackageFiles) -> Vec<Candidate> {
    let mut found = Vec::new();
    for fact in view.facts(analyzer) {
        let Some(scan) = fact.fact.downcast_ref::<FileScan>() else { continue };
        let path = fact.path.to_string();

        for hit in &scan.hits {
            // NOTE: files of OS packages are not searched for secrets: libraries ship self-test
            // keys (GnuTLS embeds a PEM private key), and a package's own files are not the
            // image builder's credentials.
            let skip_package_file = hit.outside_packages || hit.kind == DetectionKind::Secret;
            if skip_package_file && packages.owns(&path) {
                continue;
            }
            let mut why = format!("rule `{}` matched at byte {}", hit.id, hit.offset);
            if scan.truncated {
                why.push_str(" of the file's first part read (the file is over the size limit)");
            }
            let mut candidate = Candidate::rule(hit, Some(path.clone()), Some(fact.layer), why);
            if !fact.visible {
                candidate.severity = lowered_for_deleted(candidate.severity);
                candidate.deleted = true;
                candidate.why.push_str("; an upper layer deleted or replaced the file, but the image still ships it");
            }
            found.push(candidate);
        }

        if fact.visible
            && let Some(actual) = scan.md5
            && let Some(expected) = packages.digest(&path)
            && actual != *expected
        {
            let why = format!("dpkg recorded MD5 {} for this file, but its content hashes to {}", hex::encode(expected), hex::encode(actual));
            found.push(Candidate::heuristic(heuristic_by_id("dpkg-file-modified"), Some(path.clone()), Some(fact.layer), None, why));
        }
    }
    found
}

fn layer_ref(image: &Image, view: &ImageView, index: usize) -> Option<LayerRef> {
    let source = image.layers.get(index);
    let diff_id = source.and_then(|layer| layer.diff_id.clone()).or_else(|| view.layers.get(index)?.computed_diff_id.clone())?;
    Some(LayerRef {
        index,
        diff_id,
        digest: source.and_then(|layer| layer.digest.clone()),
        created_by: source.and_then(|layer| layer.created_by.clone()),
    })
}
