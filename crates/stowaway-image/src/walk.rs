//! The image walk: every layer read once, in parallel, then squashed into one view.

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use crate::analysis_cache::{AnalysisCache, WalkKey};
use crate::analyzer::Analyzer;
use crate::blob::ByteBudget;
use crate::layer::{LayerContents, LayerSummary, MAX_WARNINGS_PER_LAYER, RawFact, WalkContext, read_layer};
use crate::source::{BlobStore, Image};
use crate::squash::FileTree;
use crate::{ImageError, ImagePath, Limits, Warning, WarningKind, rootfs_walk};

/// Reads an image's layers and runs analyzers over their files.
pub struct Walker<'a> {
    image: &'a Image,
    analyzers: Vec<&'a dyn Analyzer>,
    limits: Limits,
    cache: Option<&'a AnalysisCache>,
    on_layer_done: Option<LayerCallback<'a>>,
}

/// The progress callback run as each layer finishes.
type LayerCallback<'a> = Box<dyn Fn(&LayerSummary) + Sync + 'a>;

/// The result of a walk: the squashed file system, per-layer counts, warnings and the facts the
/// analyzers produced.
#[derive(Debug)]
pub struct ImageView {
    /// The squashed file system.
    pub tree: FileTree,
    /// Counts and digests of each layer, from the base up.
    pub layers: Vec<LayerSummary>,
    /// Problems that did not stop the walk, in layer order.
    pub warnings: Vec<Warning>,
    facts: Vec<(usize, RawFact)>,
}

/// A fact with the file and layer it came from.
#[derive(Debug)]
pub struct FactRef<'a> {
    /// The file's path.
    pub path: &'a ImagePath,
    /// The layer the file was read from.
    pub layer: usize,
    /// False when an upper layer deleted or replaced the file, so the image still ships the
    /// bytes but a container does not see them.
    pub visible: bool,
    /// The fact itself.
    pub fact: &'a (dyn Any + Send + Sync),
}

impl<'a> Walker<'a> {
    /// Starts a walk over `image` with the default limits and no analyzers.
    pub fn new(image: &'a Image) -> Self {
        Walker { image, analyzers: Vec::new(), limits: Limits::default(), cache: None, on_layer_done: None }
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Adds an analyzer; its facts are read back by its position among the analyzers added.
    pub fn analyzer(mut self, analyzer: &'a dyn Analyzer) -> Self {
        self.analyzers.push(analyzer);
        self
    }

    /// Reads layers from `cache` when it contains their analysis, and stores the analysis of the
    /// layers it reads. The cache is used only when every analyzer has a
    /// [`FactCodec`](crate::FactCodec), and never for a plain root filesystem.
    pub fn cache(mut self, cache: &'a AnalysisCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Calls `callback` as each layer finishes, from the layer's thread, for progress display.
    pub fn on_layer_done(mut self, callback: impl Fn(&LayerSummary) + Sync + 'a) -> Self {
        self.on_layer_done = Some(Box::new(callback));
        self
    }

    /// Reads every layer once, in parallel, and squashes them.
    pub fn run(self) -> Result<ImageView, ImageError> {
        let context = WalkContext {
            image: self.image,
            analyzers: &self.analyzers,
            limits: &self.limits,
            bytes: ByteBudget::new(self.limits.max_image_bytes),
            entries_left: AtomicU64::new(self.limits.max_entries),
            path_bytes_left: AtomicU64::new(self.limits.max_total_path_bytes),
        };

        let cache = match (&self.image.store, self.cache) {
            (BlobStore::Rootfs(_), _) | (_, None) => None,
            (_, Some(cache)) => match WalkKey::new(&self.analyzers, &self.limits) {
                Some(key) => Some((cache, key)),
                None => {
                    tracing::debug!("an analyzer has no fact codec, so the analysis cache is not used");
                    None
                }
            },
        };
        let stored = AtomicBool::new(false);

        let layers: Vec<LayerContents> = self
            .image
            .layers
            .par_iter()
            .map(|layer| {
                let _span = tracing::debug_span!("layer", index = layer.index, blob = %layer.blob_name()).entered();
                let cached = cache.as_ref().and_then(|(cache, key)| cache.load(key, self.image, layer));
                let contents = match cached {
                    Some(contents) => {
                        context.take_cached_layer(layer, &contents)?;
                        contents
                    }
                    None => {
                        let contents = match &self.image.store {
                            BlobStore::Rootfs(root) => rootfs_walk::read_rootfs(&context, root),
                            _ => read_layer(&context, layer),
                        }?;
                        if let Some((cache, key)) = &cache
                            && cache.store(key, self.image, layer, &contents)
                        {
                            stored.store(true, Ordering::Relaxed);
                        }
                        contents
                    }
                };
                tracing::debug!(entries = contents.summary.entries, bytes = contents.summary.uncompressed_size, "layer read");
                if let Some(callback) = &self.on_layer_done {
                    callback(&contents.summary);
                }
                Ok(contents)
            })
            .collect::<Result<_, ImageError>>()?;

        if let Some((cache, _)) = &cache
            && stored.load(Ordering::Relaxed)
        {
            cache.evict();
        }
        Ok(squash(layers))
    }
}

fn squash(layers: Vec<LayerContents>) -> ImageView {
    let mut tree = FileTree::default();
    let mut summaries = Vec::with_capacity(layers.len());
    let mut warnings = Vec::new();
    let mut facts = Vec::new();

    for (index, mut contents) in layers.into_iter().enumerate() {
        let mut squashed = tree.apply(index, &contents);
        let room = MAX_WARNINGS_PER_LAYER.saturating_sub(contents.warnings.len());
        let overflow = squashed.kept.len().saturating_sub(room) as u64;
        let suppressed = contents.suppressed_warnings + squashed.suppressed + overflow;
        squashed.kept.truncate(room);
        warnings.append(&mut contents.warnings);
        warnings.append(&mut squashed.kept);
        if suppressed > 0 {
            warnings.push(Warning { layer: Some(index), path: None, kind: WarningKind::Suppressed { count: suppressed } });
        }
        facts.extend(contents.facts.into_iter().map(|fact| (index, fact)));
        summaries.push(contents.summary);
    }
    ImageView { tree, layers: summaries, warnings, facts }
}

impl ImageView {
    /// Returns the facts of the analyzer at position `analyzer`, visible or not, from the base
    /// layer up.
    pub fn facts(&self, analyzer: usize) -> impl Iterator<Item = FactRef<'_>> {
        self.facts.iter().filter(move |(_, raw)| raw.analyzer == analyzer).map(|(layer, raw)| FactRef {
            path: &raw.path,
            layer: *layer,
            visible: self.tree.get(&raw.path).is_some_and(|node| node.layer == *layer),
            fact: raw.fact.as_ref(),
        })
    }

    /// Returns the facts of analyzer `analyzer` that are visible in the squashed file system, downcast to `T`.
    pub fn visible_facts<T: 'static>(&self, analyzer: usize) -> impl Iterator<Item = (&ImagePath, usize, &T)> {
        self.facts(analyzer)
            .filter(|fact| fact.visible)
            .filter_map(|fact| fact.fact.downcast_ref::<T>().map(|value| (fact.path, fact.layer, value)))
    }
}
