//! A digest computed on a thread of its own, so that hashing a layer overlaps with decompressing
//! and parsing it instead of adding to them.

use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use stowaway_model::{Digest, DigestAlgorithm, Hasher};

/// Bytes handed to the hashing thread at once. With [`QUEUED_CHUNKS`] waiting and one being
/// hashed, a digest keeps about 1 MiB in memory.
const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks that may wait for the hashing thread before the reader blocks.
const QUEUED_CHUNKS: usize = 2;

/// A running digest: on a thread of its own when one could be started, else inline.
pub(crate) enum DigestState {
    Inline(Hasher),
    Background(BackgroundHasher),
}

impl DigestState {
    /// Starts a digest on its own thread, or inline when the thread cannot be started.
    pub(crate) fn start(algorithm: DigestAlgorithm) -> DigestState {
        match BackgroundHasher::start(algorithm) {
            Ok(hasher) => DigestState::Background(hasher),
            Err(error) => {
                tracing::debug!(%error, "failed to start a hashing thread; hashing inline");
                DigestState::Inline(Hasher::new(algorithm))
            }
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            DigestState::Inline(hasher) => hasher.update(bytes),
            DigestState::Background(hasher) => hasher.update(bytes),
        }
    }

    /// Returns the digest of every byte passed to [`DigestState::update`].
    pub(crate) fn finish(self) -> std::io::Result<Digest> {
        match self {
            DigestState::Inline(hasher) => Ok(hasher.finish()),
            DigestState::Background(hasher) => hasher.finish(),
        }
    }
}

/// The reader's side of a hashing thread. Dropping it without [`BackgroundHasher::finish`]
/// closes the channel, and the thread ends on its own.
pub(crate) struct BackgroundHasher {
    pending: Vec<u8>,
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
    thread: JoinHandle<Digest>,
}

impl BackgroundHasher {
    fn start(algorithm: DigestAlgorithm) -> std::io::Result<BackgroundHasher> {
        let (full, full_chunks) = sync_channel::<Vec<u8>>(QUEUED_CHUNKS);
        let (empty_chunks, empty) = channel::<Vec<u8>>();
        let thread = std::thread::Builder::new().name("layer-digest".to_owned()).spawn(move || {
            let mut hasher = Hasher::new(algorithm);
            for mut chunk in full_chunks {
                hasher.update(&chunk);
                chunk.clear();
                // The reader may have finished already; the buffer is then only freed.
                let _ = empty_chunks.send(chunk);
            }
            hasher.finish()
        })?;
        Ok(BackgroundHasher { pending: Vec::with_capacity(CHUNK_BYTES), full, empty, thread })
    }

    fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let copied = (CHUNK_BYTES - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..copied]);
            bytes = &bytes[copied..];
            if self.pending.len() == CHUNK_BYTES {
                self.send_pending();
            }
        }
    }

    /// Hands the pending bytes to the thread, reusing a buffer it has emptied when there is one.
    fn send_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let next = self.empty.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES));
        let chunk = std::mem::replace(&mut self.pending, next);
        // A send fails only when the thread has ended, and it ends early only by panicking,
        // which `finish` reports as an error.
        let _ = self.full.send(chunk);
    }

    fn finish(mut self) -> std::io::Result<Digest> {
        self.send_pending();
        drop(self.full);
        self.thread.join().map_err(|_| std::io::Error::other("the layer hashing thread panicked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_matches_inline() {
        let bytes: Vec<u8> = (0..3 * CHUNK_BYTES + 1234).map(|index| (index % 251) as u8).collect();
        let mut background = DigestState::start(DigestAlgorithm::Sha256);
        let mut inline = Hasher::new(DigestAlgorithm::Sha256);

        for piece in bytes.chunks(100_003) {
            background.update(piece);
            inline.update(piece);
        }

        assert!(matches!(background, DigestState::Background(_)));
        assert_eq!(background.finish().unwrap(), inline.finish());
    }

    #[test]
    fn empty_input_digest() {
        let background = DigestState::start(DigestAlgorithm::Sha256);

        assert_eq!(background.finish().unwrap(), Digest::sha256_of(b""));
    }
}
