//! Decompression on a thread of its own, a few chunks ahead of the reader, so that inflating a
//! layer overlaps with parsing its tar and running the analyzers on its files instead of adding
//! to them.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use crate::skip::Skip;

/// Bytes the thread hands over at once.
const CHUNK_BYTES: usize = 256 * 1024;

/// Chunks that may wait for the reader before the thread blocks. With one chunk being filled and
/// one being read, a read-ahead keeps about 1 MiB in memory.
const QUEUED_CHUNKS: usize = 2;

/// The reader's side of a read-ahead thread over `P`. Dropping it closes the channel, and the
/// thread stops at its next chunk.
pub(crate) struct ReadAhead<P> {
    full: Receiver<io::Result<Vec<u8>>>,
    empty: Sender<Vec<u8>>,
    current: Vec<u8>,
    offset: usize,
    ended: bool,
    thread: JoinHandle<P>,
}

impl<P: Read + Send + 'static> ReadAhead<P> {
    /// Starts reading `producer` on a new thread.
    pub(crate) fn start(producer: P) -> io::Result<ReadAhead<P>> {
        let (full_chunks, full) = sync_channel::<io::Result<Vec<u8>>>(QUEUED_CHUNKS);
        let (empty, empty_chunks) = channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("layer-inflate".to_owned())
            .spawn(move || produce(producer, &full_chunks, &empty_chunks))?;
        Ok(ReadAhead { full, empty, current: Vec::new(), offset: 0, ended: false, thread })
    }

    /// Waits for the thread to reach the end of the stream, dropping what the reader left
    /// unread, and returns the producer.
    pub(crate) fn finish(mut self) -> io::Result<P> {
        while !self.ended {
            self.next_chunk()?;
        }
        drop(self.full);
        self.thread.join().map_err(|_| io::Error::other("the layer decompression thread panicked"))
    }
}

impl<P> ReadAhead<P> {
    /// Replaces the current chunk with the next one, or marks the end. Returns an error the
    /// thread met, once.
    fn next_chunk(&mut self) -> io::Result<()> {
        match self.full.recv() {
            Ok(Ok(chunk)) => {
                let used = std::mem::replace(&mut self.current, chunk);
                // The thread may have ended already, and then the buffer is only freed.
                let _ = self.empty.send(used);
                self.offset = 0;
                Ok(())
            }
            Ok(Err(error)) => {
                self.ended = true;
                Err(error)
            }
            Err(_) => {
                self.ended = true;
                self.current.clear();
                self.offset = 0;
                Ok(())
            }
        }
    }
}

/// Fills chunks from `producer` until its end, an error, or until the reader is gone.
fn produce<P: Read>(mut producer: P, full: &SyncSender<io::Result<Vec<u8>>>, empty: &Receiver<Vec<u8>>) -> P {
    loop {
        let mut chunk = empty.try_recv().unwrap_or_default();
        chunk.resize(CHUNK_BYTES, 0);
        let mut filled = 0;
        let outcome = loop {
            match producer.read(&mut chunk[filled..]) {
                Ok(0) => break Ok(true),
                Ok(read) => {
                    filled += read;
                    if filled == chunk.len() {
                        break Ok(false);
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => break Err(error),
            }
        };
        chunk.truncate(filled);

        let ended = match outcome {
            Ok(ended) => ended,
            Err(error) => {
                // The bytes before the error still reach the reader, then the error.
                let _ = full.send(Ok(chunk));
                let _ = full.send(Err(error));
                return producer;
            }
        };
        if !chunk.is_empty() && full.send(Ok(chunk)).is_err() {
            return producer;
        }
        if ended {
            return producer;
        }
    }
}

impl<P> Read for ReadAhead<P> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.offset == self.current.len() {
            if self.ended || buffer.is_empty() {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let available = &self.current[self.offset..];
        let count = available.len().min(buffer.len());
        buffer[..count].copy_from_slice(&available[..count]);
        self.offset += count;
        Ok(count)
    }
}

impl<P> Skip for ReadAhead<P> {
    fn skip(&mut self, mut bytes: u64) -> io::Result<()> {
        while bytes > 0 {
            if self.offset == self.current.len() {
                if self.ended {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the stream ended inside data it was skipping"));
                }
                self.next_chunk()?;
                continue;
            }
            let count = ((self.current.len() - self.offset) as u64).min(bytes);
            self.offset += count as usize;
            bytes -= count;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out `data` in pieces of `step` bytes, then fails if `error` is set.
    struct Pieces {
        data: Vec<u8>,
        position: usize,
        step: usize,
        error: bool,
    }

    impl Read for Pieces {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            if self.position == self.data.len() && self.error {
                return Err(io::Error::other("broken stream"));
            }
            let count = self.step.min(buffer.len()).min(self.data.len() - self.position);
            buffer[..count].copy_from_slice(&self.data[self.position..self.position + count]);
            self.position += count;
            Ok(count)
        }
    }

    fn data() -> Vec<u8> {
        (0..3 * CHUNK_BYTES + 1000).map(|index| (index % 251) as u8).collect()
    }

    #[test]
    fn reads_and_skips_across_chunks() {
        let data = data();
        let mut ahead = ReadAhead::start(Pieces { data: data.clone(), position: 0, step: 10_007, error: false }).unwrap();

        let mut head = vec![0u8; 100];
        ahead.read_exact(&mut head).unwrap();
        ahead.skip(2 * CHUNK_BYTES as u64).unwrap();
        let mut rest = Vec::new();
        ahead.read_to_end(&mut rest).unwrap();
        let producer = ahead.finish().unwrap();

        assert_eq!(head, data[..100]);
        assert_eq!(rest, data[100 + 2 * CHUNK_BYTES..]);
        assert_eq!(producer.position, data.len());
    }

    #[test]
    fn error_follows_the_bytes_before_it() {
        let data = data();
        let mut ahead = ReadAhead::start(Pieces { data: data.clone(), position: 0, step: 65_536, error: true }).unwrap();

        let mut read = Vec::new();
        let error = ahead.read_to_end(&mut read).unwrap_err();

        assert_eq!(error.to_string(), "broken stream");
        assert_eq!(read, data);
    }

    #[test]
    fn finish_drains_what_was_not_read() {
        let data = data();
        let mut ahead = ReadAhead::start(Pieces { data: data.clone(), position: 0, step: 4096, error: false }).unwrap();
        let mut byte = [0u8; 1];
        ahead.read_exact(&mut byte).unwrap();

        let producer = ahead.finish().unwrap();

        assert_eq!(producer.position, data.len());
    }

    /// An endless stream that reports on a channel when it is dropped.
    struct Endless(std::sync::mpsc::Sender<()>);

    impl Read for Endless {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            buffer.fill(7);
            Ok(buffer.len())
        }
    }

    impl Drop for Endless {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    #[test]
    fn dropping_the_reader_stops_the_thread() {
        let (dropped, dropped_signal) = channel();
        let mut ahead = ReadAhead::start(Endless(dropped)).unwrap();
        let mut byte = [0u8; 1];
        ahead.read_exact(&mut byte).unwrap();

        drop(ahead);

        assert!(dropped_signal.recv_timeout(std::time::Duration::from_secs(10)).is_ok(), "the thread still runs");
    }
}
