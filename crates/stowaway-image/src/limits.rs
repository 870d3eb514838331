/// Bounds on what reading one image may cost, so that a hostile image fails with a clear error
/// instead of exhausting memory, disk or time.
///
/// The defaults are sized for real images: the largest public images seen in practice (CUDA and ML
/// stacks) hold around 20 GiB uncompressed and a few hundred thousand files.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Maximum uncompressed bytes read from all layers of one image together.
    pub max_image_bytes: u64,
    /// Maximum size of one file inside a layer, as its tar header declares it.
    pub max_file_bytes: u64,
    /// Maximum number of tar entries in all layers of one image together. Each entry costs memory
    /// in the squashed view, so this bounds memory.
    pub max_entries: u64,
    /// Maximum size of a JSON document (manifest, index, config) read into memory.
    pub max_json_bytes: u64,
    /// Maximum length of one path or link target in bytes.
    pub max_path_bytes: usize,
    /// Maximum size of one tar extension header (a GNU long name or a PAX header), which the tar
    /// reader keeps in memory whole.
    pub max_extension_bytes: u64,
    /// Maximum bytes of all entry paths of the image together. Paths are what the squashed view
    /// keeps in memory per entry, so this and `max_entries` together bound its memory.
    pub max_total_path_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_bytes: 64 << 30,
            max_file_bytes: 16 << 30,
            max_entries: 2_000_000,
            max_json_bytes: 16 << 20,
            max_path_bytes: 4096,
            max_extension_bytes: 1 << 20,
            max_total_path_bytes: 512 << 20,
        }
    }
}
