//! The memory graph's behaviour, as the engine relies on it.

use std::path::{Path, PathBuf};

use super::*;

mod rebuild;

const SHOP: &str = "s1";

fn alice() -> Buyer<'static> {
    Buyer {
        shop: SHOP,
        username: "Alice",
        user_id: Some(1001),
    }
}

fn bob() -> Buyer<'static> {
    Buyer {
        shop: SHOP,
        username: "Bob",
        user_id: None,
    }
}

fn anonymous() -> Buyer<'static> {
    Buyer {
        shop: SHOP,
        username: "",
        user_id: None,
    }
}

fn graph_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("memory.graph")
}

fn open_in(dir: &tempfile::TempDir) -> Memory {
    Memory::open(&graph_path(dir)).unwrap()
}

/// Alice's two orders and two questions, Bob's order and question, an anonymous order.
fn record_scenario(memory: &Memory) {
    memory.record_order(&alice(), "231101AAA", &[1, 2]).unwrap();
    memory.record_order(&alice(), "231105BBB", &[3]).unwrap();
    memory.record_order(&bob(), "231103CCC", &[1]).unwrap();
    memory
        .record_order(&anonymous(), "231104DDD", &[2])
        .unwrap();
    memory
        .record_question(&alice(), "c-1", 1, Some(1), Some(7))
        .unwrap();
    memory
        .record_question(&alice(), "c-1", 3, Some(1), None)
        .unwrap();
    memory
        .record_question(&bob(), "c-2", 4, None, None)
        .unwrap();
    memory.record_answer(3, 8).unwrap();
    memory.record_answer(1, 7).unwrap();
}

fn scenario_stats() -> GraphStats {
    GraphStats {
        customers: 2,
        orders: 4,
        products: 3,
        faqs: 2,
        conversations: 2,
        questions: 3,
        // bought 3, order about 5, asked 3, in 3, with 2, question about 2, answered_by 2
        edges: 20,
    }
}

#[test]
fn a_buyers_history_lists_what_they_bought_and_asked_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    record_scenario(&memory);

    let history = memory.buyer_history(&alice()).unwrap();
    assert_eq!(history.orders, ["231105BBB", "231101AAA"]);
    assert_eq!(
        history.products[0], 3,
        "the newest order's product comes first"
    );
    let mut older = history.products[1..].to_vec();
    older.sort();
    assert_eq!(older, [1, 2]);
    assert_eq!(history.questions, [3, 1]);
    assert_eq!(history.faq_answers, [8, 7]);

    let bobs = memory.buyer_history(&bob()).unwrap();
    assert_eq!(bobs.orders, ["231103CCC"]);
    assert_eq!(bobs.products, [1]);
    assert_eq!(bobs.questions, [4]);
    assert!(bobs.faq_answers.is_empty());
}

#[test]
fn a_buyer_is_their_user_id_or_their_username_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    record_scenario(&memory);

    let renamed = Buyer {
        username: "alice_new_name",
        ..alice()
    };
    assert_eq!(memory.buyer_history(&renamed).unwrap().orders.len(), 2);
    let shouting = Buyer {
        username: "BOB",
        ..bob()
    };
    assert_eq!(
        memory.buyer_history(&shouting).unwrap().orders,
        ["231103CCC"]
    );
    let other_shop = Buyer {
        shop: "s2",
        ..alice()
    };
    assert_eq!(
        memory.buyer_history(&other_shop).unwrap(),
        BuyerHistory::default()
    );
}

#[test]
fn anonymous_buyers_are_not_merged_into_one_customer() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    memory.record_order(&anonymous(), "A1", &[1]).unwrap();
    memory.record_order(&anonymous(), "A2", &[2]).unwrap();

    assert_eq!(
        memory.buyer_history(&anonymous()).unwrap(),
        BuyerHistory::default()
    );
    let stats = memory.stats().unwrap();
    assert_eq!((stats.customers, stats.orders, stats.products), (0, 2, 2));
}

#[test]
fn recording_the_same_facts_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    record_scenario(&memory);
    assert_eq!(memory.stats().unwrap(), scenario_stats());
    let history = memory.buyer_history(&alice()).unwrap();

    record_scenario(&memory);
    assert_eq!(memory.stats().unwrap(), scenario_stats());
    assert_eq!(memory.buyer_history(&alice()).unwrap(), history);
}

#[test]
fn product_questions_are_the_newest_first_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    for message in [5, 9, 7] {
        memory
            .record_question(&alice(), "c-1", message, Some(1), None)
            .unwrap();
    }
    memory
        .record_question(&bob(), "c-2", 8, Some(2), None)
        .unwrap();
    // Orders are "about" products too; they are not questions.
    memory.record_order(&alice(), "O1", &[1]).unwrap();

    assert_eq!(memory.product_questions(1, 2).unwrap(), [9, 7]);
    assert_eq!(memory.product_questions(1, 10).unwrap(), [9, 7, 5]);
    assert_eq!(memory.product_questions(2, 10).unwrap(), [8]);
    assert!(memory.product_questions(3, 10).unwrap().is_empty());
}

#[test]
fn faq_never_matched_lists_the_entries_no_question_was_answered_by() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    memory
        .record_question(&alice(), "c-1", 10, None, Some(7))
        .unwrap();
    memory.record_answer(11, 8).unwrap();

    assert_eq!(memory.faq_never_matched(&[7, 8, 9, 12]).unwrap(), [9, 12]);
    assert!(memory.faq_never_matched(&[]).unwrap().is_empty());
}

#[test]
fn a_forgotten_faq_no_longer_answers_anything() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    memory
        .record_question(&alice(), "c-1", 10, None, Some(7))
        .unwrap();
    memory
        .record_question(&alice(), "c-1", 11, None, Some(8))
        .unwrap();
    memory.sync().unwrap();

    memory.forget_faq(7).unwrap();

    assert_eq!(memory.buyer_history(&alice()).unwrap().faq_answers, [8]);
    assert_eq!(memory.faq_never_matched(&[7, 8]).unwrap(), [7]);
    assert_eq!(memory.stats().unwrap().faqs, 1);
    assert_eq!(memory.stats().unwrap().questions, 2, "the questions stay");
    assert!(memory.sync().unwrap(), "forgetting is a change to save");
    memory.forget_faq(7).unwrap();
    assert!(!memory.sync().unwrap(), "forgetting twice is not");
}

#[test]
fn the_graph_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (history, stats, questions) = {
        let memory = open_in(&dir);
        record_scenario(&memory);
        assert!(memory.sync().unwrap());
        (
            memory.buyer_history(&alice()).unwrap(),
            memory.stats().unwrap(),
            memory.product_questions(1, 10).unwrap(),
        )
    };

    let memory = open_in(&dir);
    assert!(!memory.needs_rebuild());
    assert_eq!(memory.stats().unwrap(), stats);
    assert_eq!(memory.stats().unwrap(), scenario_stats());
    assert_eq!(memory.buyer_history(&alice()).unwrap(), history);
    assert_eq!(memory.product_questions(1, 10).unwrap(), questions);
    assert_eq!(memory.faq_never_matched(&[7, 8, 9]).unwrap(), [9]);
}

#[test]
fn a_missing_file_gives_an_empty_graph_that_needs_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let memory = open_in(&dir);
    assert!(memory.needs_rebuild());
    assert_eq!(memory.stats().unwrap(), GraphStats::default());
    assert!(!graph_path(&dir).exists(), "opening writes nothing");
}

#[test]
fn a_corrupt_file_is_moved_aside_and_the_graph_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = graph_path(&dir);
    std::fs::write(&path, b"this is not a msgpack graph").unwrap();

    let memory = Memory::open(&path).unwrap();
    assert!(memory.needs_rebuild());
    assert_eq!(memory.stats().unwrap(), GraphStats::default());
    assert!(!path.exists());
    let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| file_name(p).starts_with("memory.graph.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        b"this is not a msgpack graph"
    );

    // And the graph works and saves as usual afterwards.
    memory.record_order(&alice(), "O1", &[1]).unwrap();
    assert!(memory.sync().unwrap());
    drop(memory);
    assert_eq!(
        open_in(&dir).buyer_history(&alice()).unwrap().orders,
        ["O1"]
    );
}

#[test]
fn an_empty_file_counts_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(graph_path(&dir), b"").unwrap();
    let memory = open_in(&dir);
    assert!(memory.needs_rebuild());
    assert!(!graph_path(&dir).exists());
}

#[test]
fn sync_writes_only_when_something_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = graph_path(&dir);
    let memory = open_in(&dir);
    assert!(!memory.sync().unwrap(), "nothing recorded yet");
    assert!(!path.exists());

    memory.record_order(&alice(), "O1", &[1]).unwrap();
    assert!(memory.sync().unwrap());
    assert!(path.exists());

    std::fs::remove_file(&path).unwrap();
    assert!(!memory.sync().unwrap(), "nothing changed since");
    memory.record_order(&alice(), "O1", &[1]).unwrap();
    assert!(!memory.sync().unwrap(), "the same fact again is no change");
    assert!(!path.exists());

    memory.record_order(&alice(), "O2", &[1]).unwrap();
    assert!(memory.sync().unwrap());
    assert!(path.exists());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| file_name(&entry.unwrap().path()))
        .filter(|name| name != "memory.graph")
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");
}

/// The system temp dir (where indradb stages the image) is often another filesystem than the
/// data dir; /dev/shm is a tmpfs on Linux, so a data dir there exercises the copy fallback.
#[cfg(target_os = "linux")]
#[test]
fn a_data_dir_on_another_filesystem_than_the_temp_dir_still_saves() {
    use std::os::unix::fs::MetadataExt;
    let Ok(shm) = std::fs::metadata("/dev/shm") else {
        return;
    };
    let temp = std::fs::metadata(std::env::temp_dir()).unwrap();
    if shm.dev() == temp.dev() {
        eprintln!("/dev/shm is on the temp dir's filesystem; the fallback is not exercised");
    }
    let dir = tempfile::tempdir_in("/dev/shm").unwrap();
    let memory = open_in(&dir);
    record_scenario(&memory);
    assert!(memory.sync().unwrap());
    memory.record_order(&alice(), "O-LATER", &[3]).unwrap();
    assert!(memory.sync().unwrap(), "a second write replaces the first");
    drop(memory);

    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| file_name(&entry.unwrap().path()))
        .collect();
    assert_eq!(names, ["memory.graph"]);
    let reopened = open_in(&dir);
    assert!(!reopened.needs_rebuild());
    assert_eq!(
        reopened.stats().unwrap().orders,
        scenario_stats().orders + 1
    );
}

#[test]
fn memory_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Memory>();
    shareable::<MemoryError>();
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}
