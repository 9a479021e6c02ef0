//! The durability barrier: it fsyncs when something was committed since the last barrier (by
//! any connection), costs nothing when nothing was, and concurrent callers share fsyncs.

use auto_engine::store::{connect, Db};

#[test]
fn a_barrier_syncs_only_when_something_new_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("auto.db")).unwrap();
    db.ensure_durable().unwrap();
    let base = db.sync_count();
    db.ensure_durable().unwrap();
    assert_eq!(db.sync_count(), base, "no new commit: no sync");

    db.write(|tx| {
        tx.execute("INSERT INTO meta (key, value) VALUES ('a', 1)", [])?;
        Ok(())
    })
    .unwrap();
    db.ensure_durable().unwrap();
    assert_eq!(
        db.sync_count(),
        base + 1,
        "a commit of this process is synced"
    );

    // A commit from another process (another connection) is seen too.
    let other = connect(&dir.path().join("auto.db")).unwrap();
    other
        .execute("INSERT INTO meta (key, value) VALUES ('b', 1)", [])
        .unwrap();
    db.ensure_durable().unwrap();
    assert_eq!(
        db.sync_count(),
        base + 2,
        "a commit of another connection is synced"
    );
    db.ensure_durable().unwrap();
    assert_eq!(db.sync_count(), base + 2);
}

#[test]
fn concurrent_barriers_share_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let db = std::sync::Arc::new(Db::open(&dir.path().join("auto.db")).unwrap());
    db.ensure_durable().unwrap();
    let base = db.sync_count();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    db.write(|tx| {
                        tx.execute(
                            "INSERT INTO meta (key, value) VALUES (?1, 1)",
                            [format!("k{t}-{i}")],
                        )?;
                        Ok(())
                    })
                    .unwrap();
                    db.ensure_durable().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let syncs = db.sync_count() - base;
    assert!((1..=200).contains(&syncs), "{syncs} syncs for 200 commits");
    // Everything committed is there after the barriers.
    let n: i64 = db
        .read(|c| {
            Ok(
                c.query_row("SELECT count(*) FROM meta WHERE key LIKE 'k%'", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap();
    assert_eq!(n, 200);
}
