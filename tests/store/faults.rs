//! Damaged, foreign, full, locked and read-only databases.

use std::path::Path;

use hallq::core::Event;
use hallq::store::{Store, StoreError, TicketFilter};

use super::fixtures::*;

#[test]
fn a_failing_batch_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    store
        .append(&[issued(1, DAY1, "A001", "A", 1)], None)
        .unwrap();
    // The same number twice in a business day is refused by the store as well.
    let err = store
        .append(
            &[
                issued(2, DAY1, "A002", "A", 2),
                issued(3, DAY1, "A001", "A", 3),
            ],
            Some(b"{}"),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
    assert_eq!(store.last_seq().unwrap(), 1);
    assert_eq!(all(&store, TicketFilter::default()).len(), 1);
    assert_eq!(store.load().unwrap().snapshot, None);
    // The store keeps working.
    assert_eq!(
        store
            .append(&[issued(2, DAY1, "A002", "A", 4)], None)
            .unwrap(),
        vec![2]
    );
}

fn assert_refused(path: &Path, err: StoreError) {
    match &err {
        StoreError::Corrupt { path: p, .. } => assert_eq!(p, path),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(err.code(), "storage_corrupt");
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("will not overwrite"), "{text}");
}

#[test]
fn a_file_of_garbage_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    assert_refused(&path, Store::open(&path).unwrap_err());
    assert_refused(&path, Store::open_read_only(&path).unwrap_err());
    assert!(std::fs::read(&path).unwrap() == garbage, "file changed");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert_refused(&empty, Store::open(&empty).unwrap_err());
    assert_eq!(std::fs::read(&empty).unwrap(), b"");
}

#[test]
fn a_foreign_sqlite_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE foo (x); INSERT INTO foo VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    assert_refused(&other, Store::open(&other).unwrap_err());
    assert!(std::fs::read(&other).unwrap() == before, "file changed");

    // Our application id but no hallq schema: still not ours.
    let fake = dir.path().join("fake.db");
    {
        let conn = rusqlite::Connection::open(&fake).unwrap();
        conn.pragma_update(None, "application_id", hallq::store::APPLICATION_ID)
            .unwrap();
        conn.execute_batch("CREATE TABLE foo (x);").unwrap();
    }
    let before = std::fs::read(&fake).unwrap();
    assert_refused(&fake, Store::open(&fake).unwrap_err());
    assert!(std::fs::read(&fake).unwrap() == before, "file changed");
}

#[test]
fn a_truncated_database_is_refused_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    {
        let mut store = Store::open(&path).unwrap();
        for batch in 0..20 {
            issue_many(&mut store, DAY1, 1 + batch * 50, 50);
        }
    }
    let whole = std::fs::read(&path).unwrap();
    assert!(
        whole.len() > 64 * 1024,
        "database too small to cut: {}",
        whole.len()
    );
    let cut = dir.path().join("cut.db");
    // Cut in the middle, on a page boundary as a failing copy would.
    std::fs::write(&cut, &whole[..(whole.len() / 2) / 4096 * 4096]).unwrap();
    let before = std::fs::read(&cut).unwrap();
    assert_refused(&cut, Store::open(&cut).unwrap_err());
    assert!(std::fs::read(&cut).unwrap() == before, "file changed");
}

#[test]
fn a_schema_newer_than_this_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { version: 99, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "storage_too_new");
    assert!(matches!(
        Store::open_read_only(&path),
        Err(StoreError::TooNew { .. })
    ));
}

#[test]
fn a_full_disk_fails_the_batch_cleanly_and_the_store_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut store = Store::open(&path).unwrap();
    let kept = issue_many(&mut store, DAY1, 1, 10);
    let cap = store.set_max_page_count(1).unwrap();
    assert!(cap > 1);
    let big: Vec<Event> = (11..=600u64)
        .map(|i| issued(i, DAY1, &format!("A{i:03}"), "A", i as i64))
        .collect();
    let err = store.append(&big, Some(&[7u8; 10_000])).unwrap_err();
    assert!(
        matches!(&err, StoreError::Full { path: p } if p == &path),
        "{err:?}"
    );
    assert_eq!(err.code(), "storage_full");
    assert!(err.to_string().contains("full"));
    // Nothing of the failed batch is visible, before or after a reopen.
    assert_eq!(store.last_seq().unwrap(), *kept.last().unwrap());
    assert_eq!(all(&store, TicketFilter::default()).len(), 10);
    // Space returns: the same store appends again (the server keeps running).
    store.set_max_page_count(1 << 30).unwrap();
    let again = store.append(&big[..5], None).unwrap();
    assert_eq!(again.len(), 5);
    drop(store);

    let store = Store::open(&path).unwrap();
    let loaded = store.load().unwrap();
    assert_eq!(loaded.snapshot, None);
    let ids: Vec<u64> = loaded
        .events
        .iter()
        .filter_map(|e| e.event.change.ticket().map(|t| t.0))
        .collect();
    assert_eq!(ids, (1..=15).collect::<Vec<_>>());
    assert_eq!(all(&store, TicketFilter::default()).len(), 15);
}

#[test]
fn a_second_writer_is_refused_while_the_first_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    let mut first = Store::open(&path).unwrap();
    first
        .append(&[issued(1, DAY1, "A001", "A", 1)], None)
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(&err, StoreError::Locked { path: p } if p == &path),
        "{err:?}"
    );
    assert_eq!(err.code(), "storage_locked");
    // Readers are not limited, and see committed events.
    let reader = Store::open_read_only(&path).unwrap();
    assert_eq!(reader.last_seq().unwrap(), 1);
    first
        .append(&[issued(2, DAY1, "A002", "A", 2)], None)
        .unwrap();
    assert_eq!(reader.events_after(1, 10).unwrap().len(), 1);
    assert_eq!(reader.salt(), first.salt());
    drop(first);
    let mut second = Store::open(&path).unwrap();
    assert_eq!(
        second
            .append(&[issued(3, DAY1, "A003", "A", 3)], None)
            .unwrap(),
        vec![3]
    );
}

#[test]
fn a_reader_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(&dir);
    drop(Store::open(&path).unwrap());
    let mut reader = Store::open_read_only(&path).unwrap();
    let err = reader
        .append(&[issued(1, DAY1, "A001", "A", 1)], None)
        .unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert_eq!(err.code(), "storage_read_only");
    assert!(reader.integrity_check().is_ok());
    // A reader never creates a database.
    let missing = dir.path().join("missing.db");
    assert!(Store::open_read_only(&missing).is_err());
    assert!(!missing.exists());
}
