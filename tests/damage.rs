//! A damaged store, through the binary: what each command says and does when the record log
//! lost bytes or a record no longer reads back. The store's own unit tests cover the same
//! cases through its API; these check the messages, hints and exit codes a user sees.

mod common;

use common::{deboiler, stderr, stdout};

/// A store with the bundled samples in it, in a temporary folder.
fn sample_store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db").display().to_string();
    let out = deboiler(&["--db", &db, "ingest", "samples"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, db)
}

/// Flips one byte of the first record in the log (past its 8-byte entry header).
fn damage_first_record(db: &str) {
    let log = std::path::Path::new(db).join("records.log");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes[20] ^= 0x20;
    std::fs::write(&log, bytes).unwrap();
}

#[test]
fn a_store_whose_log_lost_bytes_is_refused_with_a_hint() {
    let (_dir, db) = sample_store();
    let log = std::path::Path::new(&db).join("records.log");
    let len = std::fs::metadata(&log).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    for args in [vec!["list"], vec!["ingest", "samples"]] {
        let mut all = vec!["--db", db.as_str()];
        all.extend(args);
        let out = deboiler(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("`records.log` holds {} bytes", len / 2)),
            "{err}"
        );
        assert!(err.contains("truncated, replaced or deleted"), "{err}");
        assert!(err.contains("hint: "), "{err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn list_and_export_go_past_a_damaged_record_and_exit_1() {
    let (_dir, db) = sample_store();
    let all = stdout(&deboiler(&["--db", &db, "list"])).lines().count();
    damage_first_record(&db);
    for (cmd, shown) in [("list", all - 1), ("export", all - 1)] {
        let out = deboiler(&["--db", &db, cmd]);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), shown, "{cmd}");
        let err = stderr(&out);
        assert!(err.contains("log entry at 0 fails its checksum"), "{err}");
        assert!(err.contains("record `"), "{err}");
        assert!(err.contains("`deboiler verify` lists them"), "{err}");
    }
}

#[test]
fn ingesting_the_inputs_again_into_a_new_origin_replaces_a_damaged_record() {
    let (dir, db) = sample_store();
    damage_first_record(&db);
    let verify = deboiler(&["--db", &db, "verify"]);
    assert_eq!(verify.status.code(), Some(2), "{}", stderr(&verify));
    // The same inputs under other names: every article comes again with a new origin, and the
    // damaged one is stored afresh instead of failing the run.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(common::root().join("samples")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
    }
    let out = deboiler(&["--db", &db, "ingest", &copy.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("replaced by the record just cleaned"));
    let verify = deboiler(&["--db", &db, "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
}
