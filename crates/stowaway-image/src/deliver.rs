//! Hands the content of one file to the analyzers that want it, with bounded memory.
//!
//! The walker first reads the file's first [`PEEK_BYTES`] and calls [`Analyzer::accepts`] of
//! each analyzer whose interest matches the file. One accepting analyzer reads the file
//! straight from the layer stream. When several accept it and one of them needs whole files
//! ([`Analyzer::reads_whole_files`]), the walker reads the file into memory once and passes the
//! same bytes to each. Otherwise the accepting analyzers run on scoped threads, and the walker
//! sends each of them the same chunks through a bounded channel. So the walker keeps at most a
//! few chunks of a large file at any time, however many streaming analyzers read it.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::analyzer::{Analyzer, AnalyzerError, Fact, FileInfo};

/// The number of first bytes of a file passed to [`Analyzer::accepts`], enough for the magic numbers and
/// fixed headers of executables, archives and databases.
pub const PEEK_BYTES: usize = 4096;

/// The size of one chunk sent to analyzers that share a file.
const CHUNK_BYTES: usize = 64 << 10;

/// Chunks queued per analyzer before the walker waits for it to read.
const QUEUED_CHUNKS: usize = 2;

/// One analyzer to hand a file to, and the file's path and metadata as that analyzer gets
/// them (a hardlink's own path, for instance).
pub(crate) struct Delivery<'a> {
    pub(crate) analyzer: usize,
    pub(crate) info: FileInfo<'a>,
}

/// The result of one analyzer on one delivered file.
pub(crate) type Outcome = Result<Option<Fact>, AnalyzerError>;

/// A counter of the bytes of file content in the walker's memory for one layer, now and at
/// the peak.
#[derive(Debug, Default)]
pub(crate) struct BufferGauge {
    current: AtomicU64,
    peak: AtomicU64,
}

impl BufferGauge {
    fn add(&self, bytes: usize) {
        let now = self.current.fetch_add(bytes as u64, Ordering::Relaxed) + bytes as u64;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn release(&self, bytes: usize) {
        self.current.fetch_sub(bytes as u64, Ordering::Relaxed);
    }

    /// Returns the most bytes held at once.
    pub(crate) fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed)
    }
}

/// A buffer of file content, counted on its gauge until it is dropped.
struct Counted<'g> {
    bytes: Vec<u8>,
    gauge: &'g BufferGauge,
}

impl<'g> Counted<'g> {
    fn new(bytes: Vec<u8>, gauge: &'g BufferGauge) -> Self {
        gauge.add(bytes.len());
        Counted { bytes, gauge }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.gauge.release(self.bytes.len());
    }
}

/// Peeks at `content`, calls [`Analyzer::accepts`] for each delivery, and streams the file to
/// the analyzers that accept it. Returns one outcome per accepting delivery, in the order given.
///
/// An error reading `content` is returned, and the analyzers that were reading get an error of
/// the same kind.
pub(crate) fn deliver<'a>(
    analyzers: &[&dyn Analyzer],
    deliveries: Vec<Delivery<'a>>,
    content: &mut dyn Read,
    gauge: &BufferGauge,
) -> io::Result<Vec<(Delivery<'a>, Outcome)>> {
    let largest = deliveries.iter().map(|d| analyzers[d.analyzer].interest().max_read()).max().unwrap_or(0);
    let mut head = Vec::with_capacity(PEEK_BYTES);
    content.take(largest.min(PEEK_BYTES as u64)).read_to_end(&mut head)?;
    let head = Counted::new(head, gauge);

    let accepted: Vec<Delivery<'a>> = deliveries
        .into_iter()
        .filter(|delivery| {
            let analyzer = analyzers[delivery.analyzer];
            let visible = head.bytes.len().min(analyzer.interest().max_read() as usize);
            analyzer.accepts(&delivery.info, &head.bytes[..visible])
        })
        .collect();

    match accepted.len() {
        0 => Ok(Vec::new()),
        1 => {
            let delivery = accepted.into_iter().next().expect("one delivery");
            let analyzer = analyzers[delivery.analyzer];
            let mut reader = head.bytes.as_slice().chain(content).take(analyzer.interest().max_read());
            let outcome = analyzer.analyze(&delivery.info, &mut reader);
            Ok(vec![(delivery, outcome)])
        }
        _ if accepted.iter().any(|d| analyzers[d.analyzer].reads_whole_files()) => read_once(analyzers, accepted, head, content, gauge),
        _ => fan_out(analyzers, accepted, head, content, gauge),
    }
}

/// Reads the file into memory once, up to the largest read limit, and passes the bytes to each
/// delivery's analyzer in turn.
fn read_once<'a>(
    analyzers: &[&dyn Analyzer],
    accepted: Vec<Delivery<'a>>,
    head: Counted<'_>,
    content: &mut dyn Read,
    gauge: &BufferGauge,
) -> io::Result<Vec<(Delivery<'a>, Outcome)>> {
    let largest = accepted.iter().map(|d| analyzers[d.analyzer].interest().max_read()).max().unwrap_or(0);
    let size = accepted.first().map_or(0, |d| d.info.entry.size);
    let mut bytes = Vec::with_capacity(size.min(largest) as usize);
    bytes.extend_from_slice(&head.bytes);
    drop(head);
    content.take(largest.saturating_sub(bytes.len() as u64)).read_to_end(&mut bytes)?;
    let buffer = Counted::new(bytes, gauge);

    let outcomes = accepted
        .into_iter()
        .map(|delivery| {
            let analyzer = analyzers[delivery.analyzer];
            let visible = &buffer.bytes[..buffer.bytes.len().min(analyzer.interest().max_read() as usize)];
            let outcome = if analyzer.reads_whole_files() {
                analyzer.analyze_bytes(&delivery.info, visible)
            } else {
                analyzer.analyze(&delivery.info, &mut &visible[..])
            };
            (delivery, outcome)
        })
        .collect();
    Ok(outcomes)
}

/// A message to an analyzer thread: a chunk, or the kind of the read error that ended the file.
type Message<'g> = Result<Arc<Counted<'g>>, io::ErrorKind>;

/// Runs each delivery's analyzer on its own scoped thread and sends every thread the same
/// chunks, starting with `head`.
fn fan_out<'a, 'g>(
    analyzers: &[&dyn Analyzer],
    accepted: Vec<Delivery<'a>>,
    head: Counted<'g>,
    content: &mut dyn Read,
    gauge: &'g BufferGauge,
) -> io::Result<Vec<(Delivery<'a>, Outcome)>> {
    let largest = accepted.iter().map(|d| analyzers[d.analyzer].interest().max_read()).max().unwrap_or(0);

    std::thread::scope(|scope| {
        let mut senders: Vec<Option<SyncSender<Message<'g>>>> = Vec::with_capacity(accepted.len());
        let mut threads = Vec::with_capacity(accepted.len());
        for delivery in accepted {
            let analyzer = analyzers[delivery.analyzer];
            let (sender, receiver) = sync_channel(QUEUED_CHUNKS);
            senders.push(Some(sender));
            // The thread logs inside the layer's span, as the walker's own thread does.
            let span = tracing::Span::current();
            threads.push(scope.spawn(move || {
                let _entered = span.enter();
                let mut reader = ChunkReader { receiver: Some(receiver), chunk: None, offset: 0, left: analyzer.interest().max_read() };
                let outcome = analyzer.analyze(&delivery.info, &mut reader);
                (delivery, outcome)
            }));
        }

        let pumped = pump(head, content, largest, &mut senders, gauge);
        // Closing the channels ends the file for analyzers still reading.
        drop(senders);

        let outcomes = threads
            .into_iter()
            .map(|thread| thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect();
        pumped.map(|()| outcomes)
    })
}

/// Sends `head`, then chunks of `content` up to `limit` bytes in all, to every analyzer thread
/// still reading.
fn pump<'g>(
    head: Counted<'g>,
    content: &mut dyn Read,
    limit: u64,
    senders: &mut [Option<SyncSender<Message<'g>>>],
    gauge: &'g BufferGauge,
) -> io::Result<()> {
    let mut sent = head.bytes.len() as u64;
    let mut chunk = Some(head);
    let mut content = content.take(limit.saturating_sub(sent));

    loop {
        if let Some(chunk) = chunk.take().filter(|chunk| !chunk.bytes.is_empty()) {
            broadcast(senders, &Ok(Arc::new(chunk)));
        }
        if senders.iter().all(Option::is_none) || sent >= limit {
            return Ok(());
        }

        let mut bytes = Vec::with_capacity(CHUNK_BYTES);
        match (&mut content).take(CHUNK_BYTES as u64).read_to_end(&mut bytes) {
            Ok(0) => return Ok(()),
            Ok(read) => sent += read as u64,
            Err(error) => {
                broadcast(senders, &Err(error.kind()));
                return Err(error);
            }
        }
        chunk = Some(Counted::new(bytes, gauge));
    }
}

/// Sends `message` to each open channel, and closes the channels whose analyzer stopped reading.
fn broadcast<'g>(senders: &mut [Option<SyncSender<Message<'g>>>], message: &Message<'g>) {
    for slot in senders.iter_mut() {
        if let Some(sender) = slot
            && sender.send(message.clone()).is_err()
        {
            *slot = None;
        }
    }
}

/// The reader passed to an analyzer thread: the chunks received, in order, cut at `left` bytes.
struct ChunkReader<'g> {
    receiver: Option<Receiver<Message<'g>>>,
    chunk: Option<Arc<Counted<'g>>>,
    offset: usize,
    left: u64,
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.left == 0 {
                // Dropping the receiver makes the walker stop sending to this analyzer.
                self.receiver = None;
                self.chunk = None;
                return Ok(0);
            }
            if let Some(chunk) = &self.chunk
                && self.offset < chunk.bytes.len()
            {
                let available = &chunk.bytes[self.offset..];
                let count = available.len().min(out.len()).min(usize::try_from(self.left).unwrap_or(usize::MAX));
                out[..count].copy_from_slice(&available[..count]);
                self.offset += count;
                self.left -= count as u64;
                return Ok(count);
            }

            self.chunk = None;
            let Some(receiver) = &self.receiver else { return Ok(0) };
            match receiver.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = Some(chunk);
                    self.offset = 0;
                }
                Ok(Err(kind)) => return Err(io::Error::new(kind, "failed to read the file from the layer")),
                Err(_) => return Ok(0),
            }
        }
    }
}
