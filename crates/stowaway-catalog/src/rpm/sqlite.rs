//! The SQLite rpm database (`rpmdb.sqlite`, rpm 4.16 and later): table `Packages(hnum, blob)`,
//! one header blob per installed package.

use std::io::Read;

use rusqlite::{Connection, MAIN_DB};

/// Length of the SQLite file header. A shorter file is not a database.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a database with a `Packages` table of the given blobs, serialized to bytes.
    fn database(blobs: &[&[u8]]) -> Vec<u8> {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", []).unwrap();
        for blob in blobs.iter().rev() {
            connection.execute("INSERT INTO Packages (hnum, blob) VALUES ((SELECT 10 - count(*) FROM Packages), ?1)", [blob]).unwrap();
        }
        connection.serialize(MAIN_DB).unwrap().to_vec()
    }

    #[test]
    fn blobs_in_hnum_order() {
        let bytes = database(&[b"first", b"second"]);
        assert_eq!(header_blobs(&bytes).unwrap(), [b"first".to_vec(), b"second".to_vec()]);
    }

    #[test]
    fn wal_mode_file_is_read() {
        let mut bytes = database(&[b"first"]);
        bytes[18..20].copy_from_slice(&[2, 2]);
        assert_eq!(header_blobs(&bytes).unwrap(), [b"first".to_vec()]);
    }

    #[test]
    fn missing_table_is_an_error() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection.execute("CREATE TABLE Other (x)", []).unwrap();
        let bytes = connection.serialize(MAIN_DB).unwrap().to_vec();

        let error = header_blobs(&bytes).unwrap_err();
        assert!(error.to_string().contains("Packages"), "{error}");
    }

    #[test]
    fn corrupt_pages_are_an_error() {
        let mut bytes = database(&[b"first"]);
        let len = bytes.len();
        bytes[100..len].fill(0xa5);
        assert!(header_blobs(&bytes).is_err());
    }
}
