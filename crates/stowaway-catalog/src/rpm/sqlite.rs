//! The SQLite rpm database (`rpmdb.sqlite`, rpm 4.16 and later): table `Packages(hnum, blob)`,
//! one header blob per installed package.

use std::io::Read;

use rusqlite::{Connection, MAIN_DB};

/// Length of the SQLite file header; a shorter file is no database.
pub(crate) const FILE_HEADER_SIZE: usize = 100;

/// Returns the header blobs in `hnum` order, as `rpm -qa` lists them.
///
/// The bytes are opened in memory, never written to disk. rpm keeps its database in WAL mode,
/// which SQLite's in-memory databases cannot open, so the copy's file format bytes (offsets 18
/// and 19) are set to the rollback journal's value 1. Only the main file is read: rows still in
/// a `rpmdb.sqlite-wal` beside it are missed.
pub(crate) fn header_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, rusqlite::Error> {
    let mut connection = Connection::open_in_memory()?;
    let patched = bytes[..18].chain(&[1u8, 1][..]).chain(&bytes[20..]);
    connection.deserialize_read_exact(MAIN_DB, patched, bytes.len(), true)?;

    let mut statement = connection.prepare("SELECT blob FROM Packages ORDER BY hnum")?;
    let rows = statement.query_map([], |row| row.get::<_, Vec<u8>>(0))?;
    rows.collect()
}
