//! The read buffer between a layer blob and its decompressor.
//!
//! A plain layer whose unwanted file data is skipped reads mostly tar headers. A fixed buffer
//! would refill whole after every skip, reading far more than the header it needs. So after a
//! skip the next refill is small, and refills grow back to the full size while the stream is
//! read in sequence.

use std::io::{self, BufRead, Read};

use crate::skip::Skip;

/// The first refill after a skip: a tar header and the start of a small file.
const REFILL_AFTER_SKIP: usize = 16 * 1024;

/// A buffered reader over a blob whose refills shrink after a skip.
pub(crate) struct BlobBuffer<R> {
    inner: R,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
    /// The bytes to request on the next refill, at most the buffer's size.
    next_refill: usize,
}

impl<R: Read> BlobBuffer<R> {
    pub(crate) fn with_capacity(capacity: usize, inner: R) -> BlobBuffer<R> {
        let capacity = capacity.max(1);
        BlobBuffer { inner, buffer: vec![0; capacity].into_boxed_slice(), start: 0, end: 0, next_refill: capacity }
    }

    /// Returns the blob reader. Bytes still in the buffer are lost to it.
    pub(crate) fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for BlobBuffer<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // A request as large as the buffer bypasses it, as `std::io::BufReader` does.
        if self.start == self.end && out.len() >= self.buffer.len() {
            return self.inner.read(out);
        }
        let available = self.fill_buf()?;
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl<R: Read> BufRead for BlobBuffer<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            let requested = self.next_refill.min(self.buffer.len());
            let read = self.inner.read(&mut self.buffer[..requested])?;
            self.start = 0;
            self.end = read;
            self.next_refill = requested.saturating_mul(4).min(self.buffer.len());
        }
        Ok(&self.buffer[self.start..self.end])
    }

    fn consume(&mut self, amount: usize) {
        self.start = (self.start + amount).min(self.end);
    }
}

impl<R: Skip> Skip for BlobBuffer<R> {
    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        let buffered = (self.end - self.start) as u64;
        if bytes <= buffered {
            self.consume(bytes as usize);
            return Ok(());
        }
        self.start = self.end;
        self.inner.skip(bytes - buffered)?;
        self.next_refill = REFILL_AFTER_SKIP;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Serves `0, 1, 2, …` (mod 251) and records the size of each request.
    struct Recorder {
        position: usize,
        length: usize,
        requests: Arc<std::sync::Mutex<Vec<usize>>>,
        skipped: Arc<AtomicUsize>,
    }

    impl Read for Recorder {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            self.requests.lock().unwrap().push(out.len());
            let count = out.len().min(self.length - self.position);
            for (offset, byte) in out[..count].iter_mut().enumerate() {
                *byte = ((self.position + offset) % 251) as u8;
            }
            self.position += count;
            Ok(count)
        }
    }

    impl Skip for Recorder {
        fn skip(&mut self, bytes: u64) -> io::Result<()> {
            self.position += bytes as usize;
            self.skipped.fetch_add(bytes as usize, Ordering::Relaxed);
            Ok(())
        }
    }

    fn recorder(length: usize) -> (Recorder, Arc<std::sync::Mutex<Vec<usize>>>, Arc<AtomicUsize>) {
        let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
        let skipped = Arc::new(AtomicUsize::new(0));
        (Recorder { position: 0, length, requests: Arc::clone(&requests), skipped: Arc::clone(&skipped) }, requests, skipped)
    }

    #[test]
    fn refill_shrinks_after_skip_and_grows_back() {
        let (source, requests, skipped) = recorder(1 << 20);
        let mut buffer = BlobBuffer::with_capacity(256 * 1024, source);

        let mut header = [0u8; 512];
        buffer.read_exact(&mut header).unwrap();
        buffer.skip(300_000).unwrap();
        let mut next = [0u8; 512];
        buffer.read_exact(&mut next).unwrap();
        let mut rest = Vec::new();
        buffer.read_to_end(&mut rest).unwrap();

        let requests = requests.lock().unwrap().clone();
        assert_eq!(requests[0], 256 * 1024);
        assert_eq!(requests[1], REFILL_AFTER_SKIP);
        assert_eq!(requests[2], 4 * REFILL_AFTER_SKIP);
        assert_eq!(skipped.load(Ordering::Relaxed), 300_000 - (256 * 1024 - 512));
        assert_eq!(next[0], ((512 + 300_000) % 251) as u8);
        assert_eq!(512 + 300_000 + 512 + rest.len(), 1 << 20);
    }

    #[test]
    fn skip_within_buffer_reads_nothing_more() {
        let (source, requests, skipped) = recorder(100_000);
        let mut buffer = BlobBuffer::with_capacity(256 * 1024, source);

        buffer.fill_buf().unwrap();
        buffer.skip(99_000).unwrap();
        let mut rest = Vec::new();
        buffer.read_to_end(&mut rest).unwrap();

        assert_eq!(rest.len(), 1000);
        assert_eq!(rest[0], (99_000 % 251) as u8);
        assert_eq!(skipped.load(Ordering::Relaxed), 0);
        assert_eq!(requests.lock().unwrap().len(), 2);
    }
}
