//! The assistant's FAQ side, end to end through a real `auto serve` and the real local embedding
//! model (installed by scripts/setup-model.sh): paraphrases in English and Bahasa Indonesia,
//! product scope, edits that search sees at once, a vector index rebuilt from SQLite when its
//! files are gone or damaged, full-text-only search without a model, and FAQ imports with every
//! kind of bad row.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

// ---------------------------------------------------------------------------------------------
// The shop's FAQ and helpers
// ---------------------------------------------------------------------------------------------

/// One FAQ entry of the test shop: (key, question, variants, answer).
type Seed = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

/// The FAQ of a small Shopee shop selling Netflix/Spotify accounts, game vouchers and Steam
/// Wallet codes. `sharing` is created last (some tests rely on that).
const SHOP_FAQ: &[Seed] = &[
    (
        "delivery",
        "How long does delivery take after I pay?",
        &[
            "When will I receive my code?",
            "Berapa lama pengiriman setelah bayar?",
            "Kapan kode voucher dikirim?",
        ],
        "Kode atau akun dikirim otomatis lewat chat Shopee 1-5 menit setelah pembayaran \
         terkonfirmasi. Codes and accounts arrive in Shopee chat 1-5 minutes after payment.",
    ),
    (
        "refund",
        "Can I get a refund if the account does not work?",
        &[
            "Is there a warranty?",
            "Ada garansi tidak?",
            "Bisa refund kalau akun error?",
        ],
        "Garansi 30 hari untuk akun Netflix dan Spotify: akun bermasalah kami ganti atau refund \
         penuh. 30-day warranty: a broken account is replaced or fully refunded.",
    ),
    (
        "redeem",
        "How do I redeem the voucher code?",
        &[
            "Where do I enter the code?",
            "Cara redeem kode voucher gimana?",
        ],
        "Buka aplikasi game, pilih menu Redeem, lalu masukkan kode persis seperti yang dikirim. \
         Open the game, choose Redeem and type the code exactly as sent.",
    ),
    (
        "login",
        "I can't log in to the Netflix account",
        &[
            "The password is wrong",
            "Akun tidak bisa login",
            "Password salah kak",
        ],
        "Salin email dan password tanpa spasi. Kalau tetap gagal, kirim screenshot ke chat ini. \
         Copy the email and password without spaces; if it still fails, send a screenshot.",
    ),
    (
        "payment",
        "Which payment methods can I use?",
        &[
            "Can I pay with ShopeePay or bank transfer?",
            "Bisa bayar pakai apa saja?",
            "Bisa COD?",
        ],
        "Semua metode pembayaran Shopee bisa: ShopeePay, transfer bank, kartu kredit, \
         Indomaret/Alfamart. COD tidak tersedia untuk produk digital.",
    ),
    (
        "region",
        "Does the Steam Wallet code work in my region?",
        &[
            "Is this voucher for the Indonesia region?",
            "Kode Steam ini region apa?",
        ],
        "Steam Wallet IDR hanya untuk akun Steam region Indonesia. IDR Steam Wallet codes only \
         work on Indonesian-region Steam accounts.",
    ),
    (
        "sharing",
        "Can I change the password of the shared account?",
        &[
            "Boleh ganti password akun sharing?",
            "Can I use the account on several devices?",
        ],
        "Akun sharing tidak boleh diganti password atau profilnya, dan hanya untuk 1 perangkat. \
         Shared accounts: do not change the password or profiles; one device only.",
    ),
];

fn seed(key: &str) -> &'static Seed {
    SHOP_FAQ
        .iter()
        .find(|s| s.0 == key)
        .unwrap_or_else(|| panic!("no seed {key}"))
}

fn faq_body(question: &str, variants: &[&str], answer: &str) -> Value {
    json!({
        "question": question,
        "variants": variants,
        "answer": answer,
        "language": "id",
        "tags": ["toko"],
        "enabled": true,
    })
}

/// Creates an entry (asserting 201) and returns its id.
async fn create_faq(api: &Api, body: &Value) -> i64 {
    let (status, entry) = api.post("/api/v1/faq", body).await;
    assert_eq!(status, StatusCode::CREATED, "create FAQ {body}: {entry}");
    entry["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("entry without a numeric id: {entry}"))
}

/// Creates the shop's FAQ, in order; returns key → id.
async fn seed_shop_faq(api: &Api) -> BTreeMap<&'static str, i64> {
    let mut ids = BTreeMap::new();
    for (key, question, variants, answer) in SHOP_FAQ {
        ids.insert(
            *key,
            create_faq(api, &faq_body(question, variants, answer)).await,
        );
    }
    ids
}

/// `POST /assistant/search`, asserting 200.
async fn search(api: &Api, text: &str, product: Option<i64>) -> Value {
    let mut body = json!({ "text": text });
    if let Some(p) = product {
        body["product_id"] = json!(p);
    }
    let (status, found) = api.post("/api/v1/assistant/search", &body).await;
    assert_eq!(status, StatusCode::OK, "search {text:?}: {found}");
    assert!(found["hits"].is_array(), "search reply shape: {found}");
    found
}

fn hit_ids(found: &Value) -> Vec<i64> {
    found["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|h| h["faq_id"].as_i64()).collect())
        .unwrap_or_default()
}

fn top(found: &Value) -> Option<i64> {
    hit_ids(found).first().copied()
}

fn hit(found: &Value, id: i64) -> Option<&Value> {
    found["hits"]
        .as_array()?
        .iter()
        .find(|h| h["faq_id"].as_i64() == Some(id))
}

fn cosine_of(found: &Value, id: i64) -> f64 {
    hit(found, id).map_or(0.0, |h| h["cosine"].as_f64().unwrap_or(0.0))
}

/// A short account of a search for assertion messages.
fn describe(found: &Value) -> String {
    let hits: Vec<String> = found["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .take(5)
        .map(|h| {
            format!(
                "#{} {:?} score {:.3} cosine {:.3} fulltext {}",
                h["faq_id"], h["question"], h["score"], h["cosine"], h["fulltext_rank"]
            )
        })
        .collect();
    format!(
        "mode {} confidence {} threshold {} would_answer {}\n  {}",
        found["mode"],
        found["confidence"],
        found["threshold"],
        found["would_answer"],
        hits.join("\n  ")
    )
}

/// Polls the status until every live variant is in the vector index; returns the status.
async fn wait_until_indexed(api: &Api, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let status = ok(api.get("/api/v1/assistant/status").await);
        let s = &status["search"];
        if s["indexed"] == s["variants"] && s["indexing"] == false {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the FAQ was not indexed within {timeout:?}: {status}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Every FAQ entry, following cursors.
async fn all_faq(api: &Api, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<i64> = None;
    for _ in 0..1000 {
        let mut path = format!("/api/v1/faq?limit=500&{query}");
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = ok(api.get(&path).await);
        out.extend(page["entries"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_i64() {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
    panic!("more than 1000 pages of FAQ entries");
}

async fn faq_total(api: &Api) -> i64 {
    ok(api.get("/api/v1/faq?limit=1").await)["total"]
        .as_i64()
        .unwrap()
}

async fn import(api: &Api, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
    api.raw(Method::POST, "/api/v1/faq/import", content_type, body)
        .await
}

/// `(line, reason)` of an import report's `duplicates` or `rejected`.
fn issues(report: &Value, field: &str) -> BTreeMap<u64, String> {
    report[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field} array: {report}"))
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// What an entry says, without ids, hits or timestamps: for comparing two FAQs.
fn content(entry: &Value) -> String {
    json!({
        "question": entry["question"],
        "variants": entry["variants"],
        "answer": entry["answer"],
        "language": entry["language"],
        "translations": entry["translations"],
        "tags": entry["tags"],
        "enabled": entry["enabled"],
    })
    .to_string()
}

fn index_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("faq-index")
}

fn manifest(data_dir: &Path) -> Value {
    let path = index_dir(data_dir).join("manifest.json");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("no index manifest at {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("manifest is not JSON: {e}"))
}

fn netflix_product() -> Value {
    json!({
        "name": "Netflix Premium 1 Bulan (Private)",
        "sku": "NFX-1M",
        "kind": "account",
        "price": 45000,
        "currency": "IDR",
    })
}

fn voucher_product() -> Value {
    json!({
        "name": "Mobile Legends 86 Diamonds",
        "sku": "MLBB-86",
        "kind": "license_key",
        "price": 22000,
        "currency": "IDR",
    })
}

fn product_id(product: &Value) -> i64 {
    id_of(product).parse().expect("numeric product id")
}

// ---------------------------------------------------------------------------------------------
// 1. Paraphrases
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paraphrases_in_english_and_indonesian_find_the_right_entry() {
    let fx = Fixture::new();
    let health = ok(fx.admin.with_token(None).get("/api/v1/health").await);
    assert_eq!(
        health["assistant"]["search"], "hybrid",
        "the local model must be installed (scripts/setup-model.sh): {health}"
    );
    assert!(health["assistant"]["model_error"].is_null(), "{health}");
    let faq = seed_shop_faq(&fx.admin).await;

    // Every paraphrase is checked before failing, so one run shows the whole picture.
    let mut wrong = Vec::new();
    for (text, key, language) in [
        ("how long until I get the key?", "delivery", Some("en")),
        (
            "when do you send the code after payment",
            "delivery",
            Some("en"),
        ),
        ("kak kodenya kapan dikirim ya?", "delivery", Some("id")),
        ("how to use the voucher", "redeem", Some("en")),
        (
            "can't sign in, it says incorrect password",
            "login",
            Some("en"),
        ),
        ("akun netflix tidak bisa login", "login", Some("id")),
        ("bisa bayar pakai ShopeePay?", "payment", Some("id")),
        // "boleh" and "ganti" are not among the Indonesian words lang.rs knows.
        ("boleh ganti password?", "sharing", None),
        (
            "apakah kode steam bisa dipakai di region lain?",
            "region",
            Some("id"),
        ),
    ] {
        let found = search(&fx.admin, text, None).await;
        assert_eq!(found["mode"], "hybrid", "{}", describe(&found));
        if let Some(language) = language {
            assert_eq!(found["language"], language, "language of {text:?}");
        }
        let confidence = found["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confidence), "{}", describe(&found));
        assert_eq!(
            found["would_answer"],
            confidence >= found["threshold"].as_f64().unwrap(),
            "would_answer follows the threshold: {}",
            describe(&found)
        );
        let right = top(&found) == Some(faq[key])
            && found["would_answer"] == true
            && found["hits"][0]["answer"] == seed(key).3
            && found["hits"][0]["cosine"].as_f64().unwrap() > 0.3;
        if !right {
            wrong.push(format!(
                "{text:?} should answer with {key} (#{}): {}",
                faq[key],
                describe(&found)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} paraphrases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Hits are ranked by score; evidence describes the first two.
    let found = search(&fx.admin, "how long until I get the key?", None).await;
    let scores: Vec<f64> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "{}",
        describe(&found)
    );
    assert_eq!(found["evidence"]["top"].as_f64(), Some(scores[0]));

    for text in [
        "what's the weather in Jakarta",
        "who won the football match yesterday",
        "cuaca di Bandung hari ini gimana?",
    ] {
        let found = search(&fx.admin, text, None).await;
        assert_eq!(
            found["would_answer"],
            false,
            "{text:?} is not in the FAQ: {}",
            describe(&found)
        );
        assert!(
            found["confidence"].as_f64().unwrap() < found["threshold"].as_f64().unwrap(),
            "{}",
            describe(&found)
        );
    }

    // The tester records nothing: no entry got a hit from all these searches.
    for entry in all_faq(&fx.admin, "").await {
        assert_eq!(entry["hits"], 0, "the tester recorded a hit: {entry}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Product scope
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn product_entries_stay_with_their_product_and_store_wide_ones_serve_all() {
    let fx = Fixture::new();
    let netflix = product_id(&create_product(&fx.admin, &netflix_product()).await);
    let voucher = product_id(&create_product(&fx.admin, &voucher_product()).await);
    let faq = seed_shop_faq(&fx.admin).await;
    let mut pin = faq_body(
        "Can I set my own profile PIN on the Netflix account?",
        &[
            "Boleh pasang PIN profil Netflix?",
            "Profile lock for my Netflix profile?",
        ],
        "Boleh, pasang PIN hanya di profil milikmu sendiri. Yes, lock only your own profile.",
    );
    pin["product_id"] = json!(netflix);
    let pin = create_faq(&fx.admin, &pin).await;
    let question = "can I put a PIN on my netflix profile?";

    let found = search(&fx.admin, question, Some(netflix)).await;
    assert_eq!(top(&found), Some(pin), "{}", describe(&found));
    assert_eq!(found["hits"][0]["product_id"], netflix);
    assert_eq!(found["would_answer"], true, "{}", describe(&found));

    let found = search(&fx.admin, question, Some(voucher)).await;
    assert!(
        !hit_ids(&found).contains(&pin),
        "a Netflix entry must not answer about the voucher: {}",
        describe(&found)
    );
    // With no product known, every entry counts.
    assert_eq!(top(&search(&fx.admin, question, None).await), Some(pin));

    // Store-wide entries serve every product.
    for product in [Some(netflix), Some(voucher), None] {
        let found = search(&fx.admin, "kak kodenya kapan dikirim ya?", product).await;
        assert_eq!(
            top(&found),
            Some(faq["delivery"]),
            "product {product:?}: {}",
            describe(&found)
        );
    }

    // Moving the entry moves its scope at once; null makes it store-wide.
    let moved = ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{pin}"),
            &json!({ "product_id": voucher }),
        )
        .await);
    assert_eq!(moved["product_id"], voucher);
    assert!(!hit_ids(&search(&fx.admin, question, Some(netflix)).await).contains(&pin));
    assert_eq!(
        top(&search(&fx.admin, question, Some(voucher)).await),
        Some(pin)
    );
    let wide = ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{pin}"),
            &json!({ "product_id": null }),
        )
        .await);
    assert!(wide["product_id"].is_null(), "{wide}");
    for product in [netflix, voucher] {
        assert_eq!(
            top(&search(&fx.admin, question, Some(product)).await),
            Some(pin),
            "store-wide now, product {product}"
        );
    }

    // The list filters agree.
    ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{pin}"),
            &json!({ "product_id": netflix }),
        )
        .await);
    let scoped = all_faq(&fx.admin, &format!("product_id={netflix}")).await;
    assert_eq!(
        scoped
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![pin]
    );
    assert!(all_faq(&fx.admin, &format!("product_id={voucher}"))
        .await
        .is_empty());
    let store_wide = all_faq(&fx.admin, "store_wide=true").await;
    assert_eq!(store_wide.len(), SHOP_FAQ.len());
    assert!(store_wide.iter().all(|e| e["product_id"].is_null()));

    // Searching about a product that does not exist is a 404, not an empty answer.
    assert_error(
        &fx.admin
            .post(
                "/api/v1/assistant/search",
                &json!({"text": question, "product_id": 999_999}),
            )
            .await,
        404,
        "not_found",
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Edits
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_deletes_and_disabling_show_in_search_at_once() {
    let fx = Fixture::new();
    let faq = seed_shop_faq(&fx.admin).await;
    let login = faq["login"];
    let removed = "The password is wrong";
    let added = "My Spotify family invite link has expired";

    let found = search(&fx.admin, removed, None).await;
    assert_eq!(top(&found), Some(login), "{}", describe(&found));
    assert!(cosine_of(&found, login) > 0.99, "{}", describe(&found));
    let before = search(&fx.admin, added, None).await;
    assert!(cosine_of(&before, login) < 0.9, "{}", describe(&before));

    // The login entry (not the newest) drops one phrasing and gains another.
    let new_answer = "Kirim screenshot error ke chat ini, akun pengganti kami kirim dalam 1 jam. \
                      Send us a screenshot; a replacement account follows within an hour.";
    let patched = ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{login}"),
            &json!({
                "answer": new_answer,
                "variants": ["Akun tidak bisa login", "Password salah kak", added],
            }),
        )
        .await);
    assert_eq!(patched["answer"], new_answer);
    assert_eq!(
        patched["variants"],
        json!(["Akun tidak bisa login", "Password salah kak", added])
    );

    let found = search(&fx.admin, added, None).await;
    assert_eq!(top(&found), Some(login), "{}", describe(&found));
    assert!(
        cosine_of(&found, login) > 0.99,
        "the new phrasing is embedded by the time PATCH answers: {}",
        describe(&found)
    );
    assert_eq!(found["hits"][0]["answer"], new_answer);
    assert_eq!(found["would_answer"], true, "{}", describe(&found));
    let found = search(&fx.admin, removed, None).await;
    assert!(
        cosine_of(&found, login) < 0.95,
        "the removed phrasing no longer matches itself: {}",
        describe(&found)
    );
    // A paraphrase of the entry still works through the phrasings it kept.
    let found = search(&fx.admin, "akun netflix tidak bisa login", None).await;
    assert_eq!(top(&found), Some(login), "{}", describe(&found));

    // Delete: never returned again, whatever the question.
    let region = faq["region"];
    let (status, _) = fx.admin.delete(&format!("/api/v1/faq/{region}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for text in [
        seed("region").1,
        "Kode Steam ini region apa?",
        "does the steam wallet code work in Indonesia?",
        "steam",
    ] {
        let found = search(&fx.admin, text, None).await;
        assert!(
            !hit_ids(&found).contains(&region),
            "deleted entry returned for {text:?}: {}",
            describe(&found)
        );
    }
    let path = format!("/api/v1/faq/{region}");
    assert_error(&fx.admin.get(&path).await, 404, "not_found");
    assert_error(
        &fx.admin.patch(&path, &json!({"answer": "x"})).await,
        404,
        "not_found",
    );
    assert_error(&fx.admin.delete(&path).await, 404, "not_found");
    assert_eq!(faq_total(&fx.admin).await, SHOP_FAQ.len() as i64 - 1);

    // Disable: not returned; enable again: returned.
    let refund = faq["refund"];
    let question = "is there any warranty if the account breaks?";
    assert_eq!(top(&search(&fx.admin, question, None).await), Some(refund));
    let off = ok(fx
        .admin
        .patch(&format!("/api/v1/faq/{refund}"), &json!({"enabled": false}))
        .await);
    assert_eq!(off["enabled"], false);
    for text in [question, seed("refund").1, "Ada garansi tidak?"] {
        let found = search(&fx.admin, text, None).await;
        assert!(
            !hit_ids(&found).contains(&refund),
            "disabled entry returned for {text:?}: {}",
            describe(&found)
        );
    }
    let disabled = all_faq(&fx.admin, "enabled=false").await;
    assert_eq!(
        disabled
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![refund]
    );
    ok(fx
        .admin
        .patch(&format!("/api/v1/faq/{refund}"), &json!({"enabled": true}))
        .await);
    let found = search(&fx.admin, seed("refund").1, None).await;
    assert_eq!(top(&found), Some(refund), "{}", describe(&found));
    assert!(cosine_of(&found, refund) > 0.99, "{}", describe(&found));

    // None of it disturbed the index's bookkeeping.
    let status = ok(fx.admin.get("/api/v1/assistant/status").await);
    let live: usize = SHOP_FAQ
        .iter()
        .filter(|s| s.0 != "region")
        .map(|s| 1 + s.2.len())
        .sum();
    assert_eq!(status["search"]["variants"], live, "{status}");
    assert_eq!(status["search"]["indexed"], live, "{status}");
}

// ---------------------------------------------------------------------------------------------
// 4. The index on disk
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_vector_index_is_rebuilt_when_its_files_are_gone_or_damaged() {
    let mut fx = Fixture::new();
    let dir = fx.dir.path().to_path_buf();
    let faq = seed_shop_faq(&fx.admin).await;
    let variants: usize = SHOP_FAQ.iter().map(|s| 1 + s.2.len()).sum();
    let token = fx.admin.token.clone().unwrap();

    // A clean stop saves the index.
    assert!(fx.server.terminate().success(), "{}", fx.server.stderr());
    let saved = manifest(&dir);
    assert_eq!(saved["count"], variants, "{saved}");

    async fn check(server: &Server, token: &str, faq: &BTreeMap<&str, i64>, variants: usize) {
        let api = server.api(Some(token));
        let status = wait_until_indexed(&api, Duration::from_secs(60)).await;
        assert_eq!(status["search"]["mode"], "hybrid", "{status}");
        assert_eq!(status["search"]["variants"], variants, "{status}");
        // No word of these is in the entry's phrasings: only the vector index can find them.
        for (text, key) in [
            ("money back guarantee?", "refund"),
            ("shipping duration", "delivery"),
            ("transaction options", "payment"),
        ] {
            let found = search(&api, text, None).await;
            assert_eq!(found["mode"], "hybrid");
            assert_eq!(
                top(&found),
                Some(faq[key]),
                "{text:?}: {}",
                describe(&found)
            );
            assert!(
                found["hits"][0]["fulltext_rank"].is_null()
                    && found["hits"][0]["cosine"].as_f64().unwrap() > 0.3,
                "{text:?} is found by its vector alone: {}",
                describe(&found)
            );
        }
        for (text, key) in [
            ("kak kodenya kapan dikirim ya?", "delivery"),
            ("can't sign in, it says incorrect password", "login"),
        ] {
            let found = search(&api, text, None).await;
            assert_eq!(
                top(&found),
                Some(faq[key]),
                "{text:?}: {}",
                describe(&found)
            );
        }
    }

    // The saved index is used as is.
    let mut server = Server::start(&dir);
    check(&server, &token, &faq, variants).await;
    assert!(server.terminate().success());

    // Files gone: rebuilt from SQLite, and saved again at the next clean stop.
    std::fs::remove_dir_all(index_dir(&dir)).unwrap();
    let mut server = Server::start(&dir);
    check(&server, &token, &faq, variants).await;
    assert!(server.terminate().success());
    assert_eq!(manifest(&dir)["count"], variants);

    // A manifest full of garbage.
    std::fs::write(
        index_dir(&dir).join("manifest.json"),
        b"\x00\x13garbage{{ not json",
    )
    .unwrap();
    let mut server = Server::start(&dir);
    check(&server, &token, &faq, variants).await;
    assert!(server.terminate().success());
    assert_eq!(manifest(&dir)["count"], variants);

    // A manifest that lies about what the files hold.
    let mut lying = manifest(&dir);
    lying["count"] = json!(variants - 3);
    std::fs::write(
        index_dir(&dir).join("manifest.json"),
        serde_json::to_vec(&lying).unwrap(),
    )
    .unwrap();
    let mut server = Server::start(&dir);
    check(&server, &token, &faq, variants).await;
    assert!(server.terminate().success());
    assert_eq!(manifest(&dir)["count"], variants);

    // An entry added just before a crash (the index on disk is valid but older) is found after
    // the restart.
    let mut server = Server::start(&dir);
    let api = server.api(Some(&token));
    let late = create_faq(
        &api,
        &faq_body(
            "Do you sell Spotify Premium Family slots?",
            &["Ada slot Spotify Family?"],
            "Ada, slot Spotify Family 1 bulan Rp25.000.",
        ),
    )
    .await;
    server.kill();
    let server = Server::start(&dir);
    let api = server.api(Some(&token));
    wait_until_indexed(&api, Duration::from_secs(60)).await;
    let found = search(&api, "is there a spotify family slot for sale?", None).await;
    assert_eq!(top(&found), Some(late), "{}", describe(&found));
    assert!(cosine_of(&found, late) > 0.5, "{}", describe(&found));
    check(&server, &token, &faq, variants + 2).await;

    // An explicit rebuild keeps everything searchable.
    let rebuilt = ok(api.post("/api/v1/assistant/rebuild", &json!({})).await);
    assert_eq!(rebuilt["search"]["variants"], variants + 2, "{rebuilt}");
    check(&server, &token, &faq, variants + 2).await;
}

/// The model is let go while no one asks, and the next question loads it again and gets the
/// same answer as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idle_model_is_let_go_and_comes_back_for_the_next_question() {
    let fx = Fixture::with(ServeOptions::default().with_env("AUTO_RELEASE_MODEL_AFTER_SECS", "1"));
    let faq = seed_shop_faq(&fx.admin).await;
    let question = "kak kodenya kapan dikirim ya?";
    let before = search(&fx.admin, question, None).await;
    assert_eq!(before["mode"], "hybrid", "{}", describe(&before));
    assert_eq!(top(&before), Some(faq["delivery"]), "{}", describe(&before));

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = ok(fx.admin.get("/api/v1/assistant/status").await);
        assert_eq!(status["search"]["mode"], "hybrid", "still usable: {status}");
        if status["search"]["model_loaded"] == false {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the idle model was never let go: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let after = search(&fx.admin, question, None).await;
    assert_eq!(after["mode"], "hybrid", "{}", describe(&after));
    assert_eq!(hit_ids(&after), hit_ids(&before), "{}", describe(&after));
    let score = |f: &Value| f["hits"][0]["score"].as_f64().unwrap();
    assert!(
        (score(&after) - score(&before)).abs() < 1e-4,
        "{}",
        describe(&after)
    );
    let status = ok(fx.admin.get("/api/v1/assistant/status").await);
    assert_eq!(status["search"]["model_loaded"], true, "{status}");
}

// ---------------------------------------------------------------------------------------------
// 5. No model
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_model_search_falls_back_to_words() {
    let models = tempfile::tempdir().unwrap();
    let fx = Fixture::with(
        ServeOptions::default().with_env("AUTO_MODELS_DIR", models.path().to_str().unwrap()),
    );
    let health = ok(fx.admin.with_token(None).get("/api/v1/health").await);
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["assistant"]["search"], "fulltext", "{health}");
    assert!(
        health["assistant"]["model_error"]
            .as_str()
            .is_some_and(|e| !e.trim().is_empty()),
        "the reason is shown: {health}"
    );
    assert_eq!(health["assistant"]["indexing"], false, "{health}");

    let faq = seed_shop_faq(&fx.admin).await;
    let status = ok(fx.admin.get("/api/v1/assistant/status").await);
    assert_eq!(status["search"]["mode"], "fulltext", "{status}");
    assert!(status["search"]["model_error"].is_string(), "{status}");
    assert_eq!(
        status["search"]["variants"],
        SHOP_FAQ.iter().map(|s| 1 + s.2.len()).sum::<usize>()
    );
    assert_eq!(status["search"]["indexing"], false, "{status}");

    for (text, key) in [
        ("akun netflix tidak bisa login", "login"),
        ("kak kodenya kapan dikirim ya?", "delivery"),
        ("bisa bayar pakai ShopeePay?", "payment"),
        ("Kode Steam ini region apa?", "region"),
        ("how do I redeem my voucher code", "redeem"),
    ] {
        let found = search(&fx.admin, text, None).await;
        assert_eq!(found["mode"], "fulltext", "{}", describe(&found));
        assert_eq!(
            top(&found),
            Some(faq[key]),
            "{text:?} shares words with {key}: {}",
            describe(&found)
        );
        assert_eq!(found["hits"][0]["fulltext_rank"], 1, "{}", describe(&found));
        assert_eq!(found["hits"][0]["cosine"].as_f64(), Some(0.0));
    }
    let found = search(&fx.admin, "Kuota 🙏🙏", None).await;
    assert!(hit_ids(&found).is_empty(), "{}", describe(&found));
    assert_eq!(found["would_answer"], false);

    // Edits follow at once in this mode too: "indonesia" is only in a variant that goes.
    let region = faq["region"];
    let found = search(&fx.admin, "indonesia", None).await;
    assert_eq!(top(&found), Some(region), "{}", describe(&found));
    ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{region}"),
            &json!({"variants": ["Voucher Steam berlaku di Malaysia?"]}),
        )
        .await);
    let found = search(&fx.admin, "voucher steam berlaku di malaysia", None).await;
    assert_eq!(top(&found), Some(region), "{}", describe(&found));
    let found = search(&fx.admin, "indonesia", None).await;
    assert!(!hit_ids(&found).contains(&region), "{}", describe(&found));

    // Once the model is there, what was written without it is embedded too.
    let mut fx = fx;
    assert!(fx.server.terminate().success());
    let server = Server::start(fx.dir.path());
    let api = server.api(fx.admin.token.as_deref());
    let status = wait_until_indexed(&api, Duration::from_secs(120)).await;
    assert_eq!(status["search"]["mode"], "hybrid", "{status}");
    assert!(status["search"]["model_error"].is_null(), "{status}");
    let found = search(&api, "money back guarantee?", None).await;
    assert_eq!(top(&found), Some(faq["refund"]), "{}", describe(&found));
    assert!(
        found["hits"][0]["fulltext_rank"].is_null(),
        "found by its vector: {}",
        describe(&found)
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Import
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faq_imports_report_every_skipped_row_by_line_and_lose_nothing() {
    let fx = Fixture::new();
    let netflix = product_id(&create_product(&fx.admin, &netflix_product()).await);
    let spotify = product_id(
        &create_product(
            &fx.admin,
            &json!({"name": "Spotify Premium 1 Bulan", "sku": "SPOT-1M", "kind": "account",
                    "price": 20000, "currency": "IDR"}),
        )
        .await,
    );
    let existing_q = "Apakah akun Netflix bisa dipakai di Smart TV?";
    create_faq(
        &fx.admin,
        &faq_body(
            existing_q,
            &["Can I watch on my TV?"],
            "Bisa, login di aplikasi Netflix Smart TV.",
        ),
    )
    .await;

    let vi_question = "Làm sao để kích hoạt tài khoản Netflix?";
    let vi_answer =
        "Đăng nhập bằng email và mật khẩu được gửi qua chat 🎬, sau đó chọn hồ sơ của bạn.";
    // Excel-style: a byte-order mark and CRLF line ends.
    let csv = [
        "\u{feff}question,answer,variants,product,language,tags,enabled",
        // 2: Vietnamese and emoji, product by SKU, two variants, two tags
        &format!(
            "\"{vi_question}\",\"{vi_answer}\",Kích hoạt tài khoản thế nào? | How do I activate the account?,NFX-1M,vi,netflix|kích hoạt,true"
        ),
        // 3: Indonesian with an emoji, a comma inside a quoted answer
        "Kapan diamond Mobile Legends masuk? 💎,\"Diamond masuk 1-5 menit, cek inbox game.\",Diamond ML kapan masuk?,,id,pengiriman,ya",
        // 4: the same question again (case and spaces differ): duplicate in the file
        "kapan  DIAMOND mobile legends masuk? 💎,Another answer,,,id,,true",
        // 5: an entry the FAQ already has: duplicate in the FAQ
        "apakah akun netflix bisa dipakai di smart tv?,Jawaban lain,,,id,,true",
        // 6: an unknown product
        "Does the Spotify code work in Malaysia?,Only Indonesia,,SPOT-UNKNOWN,en,,true",
        // 7: wrong column count
        "Kode Garena Shells bisa untuk Free Fire?,Ya,,,id,,true,extra,columns",
        // 8: only question and answer filled
        "Is Spotify Premium Family available?,\"Ya, slot Family tersedia.\",,,,,",
        // 9: disabled, scoped by SKU in another case
        "Bisa bayar pakai GoPay?,Belum bisa.,,spot-1m,id,,tidak",
    ]
    .join("\r\n")
        + "\r\n";

    let (status, report) = import(&fx.admin, "text/csv; charset=utf-8", csv.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 4, "{report}");
    assert_eq!(
        issues(&report, "duplicates"),
        BTreeMap::from([(4, "in_file".to_string()), (5, "in_faq".to_string())]),
        "{report}"
    );
    let rejected = issues(&report, "rejected");
    assert_eq!(
        rejected.keys().copied().collect::<Vec<_>>(),
        vec![6, 7],
        "{report}"
    );
    assert!(rejected[&6].contains("SPOT-UNKNOWN"), "{report}");
    assert!(rejected[&7].to_lowercase().contains("field"), "{report}");

    let entries = all_faq(&fx.admin, "").await;
    assert_eq!(entries.len(), 5, "1 existing + 4 imported");
    let by_q = |q: &str| -> Value {
        entries
            .iter()
            .find(|e| e["question"] == q)
            .cloned()
            .unwrap_or_else(|| panic!("{q:?} was not imported: {entries:?}"))
    };
    let vi = by_q(vi_question);
    assert_eq!(vi["answer"], vi_answer, "unicode round-trips");
    assert_eq!(
        vi["variants"],
        json!([
            "Kích hoạt tài khoản thế nào?",
            "How do I activate the account?"
        ])
    );
    assert_eq!(vi["product_id"], netflix);
    assert_eq!(vi["language"], "vi");
    assert_eq!(vi["tags"], json!(["netflix", "kích hoạt"]));
    assert_eq!(vi["enabled"], true);
    let ml = by_q("Kapan diamond Mobile Legends masuk? 💎");
    assert_eq!(ml["answer"], "Diamond masuk 1-5 menit, cek inbox game.");
    assert_eq!(ml["enabled"], true);
    let family = by_q("Is Spotify Premium Family available?");
    assert_eq!(family["variants"], json!([]));
    assert!(family["product_id"].is_null());
    assert_eq!(family["enabled"], true);
    let gopay = by_q("Bisa bayar pakai GoPay?");
    assert_eq!(gopay["enabled"], false);
    assert_eq!(gopay["product_id"], spotify);
    assert_eq!(
        by_q(existing_q)["answer"],
        "Bisa, login di aplikasi Netflix Smart TV.",
        "a duplicate row never overwrites"
    );

    // Searchable at once (full text), with and without the diacritics; disabled rows are not.
    let vi_id = vi["id"].as_i64().unwrap();
    for text in [
        "kích hoạt tài khoản Netflix",
        "lam sao de kich hoat tai khoan netflix",
    ] {
        let found = search(&fx.admin, text, Some(netflix)).await;
        assert!(
            hit(&found, vi_id).is_some_and(|h| h["fulltext_rank"].is_u64()),
            "{text:?}: {}",
            describe(&found)
        );
    }
    let found = search(&fx.admin, "Bisa bayar pakai GoPay?", None).await;
    assert!(
        !hit_ids(&found).contains(&gopay["id"].as_i64().unwrap()),
        "{}",
        describe(&found)
    );

    // The same file again creates nothing.
    let (status, again) = import(&fx.admin, "text/csv", csv).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(
        issues(&again, "duplicates"),
        BTreeMap::from([
            (2, "in_faq".to_string()),
            (3, "in_faq".to_string()),
            (4, "in_file".to_string()),
            (5, "in_faq".to_string()),
            (8, "in_faq".to_string()),
            (9, "in_faq".to_string()),
        ]),
        "{again}"
    );
    assert_eq!(
        issues(&again, "rejected")
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![6, 7]
    );
    assert_eq!(faq_total(&fx.admin).await, 5);

    // JSON: an object with entries; product by SKU, by id, or as product_id.
    let (status, report) = fx
        .admin
        .post(
            "/api/v1/faq/import",
            &json!({"entries": [
                {"question": "Berapa lama masa aktif Spotify Premium?", "answer": "1 bulan sejak aktivasi.",
                 "product": "SPOT-1M", "language": "id"},
                {"question": "Is the Netflix account private or shared?", "answer": "Private: satu profil untukmu.",
                 "product": netflix},
                {"question": "Can I renew the same Netflix account next month?", "answer": "Ya, chat kami 3 hari sebelum habis.",
                 "product_id": netflix, "variants": ["Bisa perpanjang akun yang sama?"], "tags": ["netflix"]},
                {"question": "Does the Spotify voucher work for Duo?", "answer": "Tidak.", "product": "NOPE-SKU"},
                {"question": existing_q, "answer": "dup"},
                {"question": "   ", "answer": "no question"},
                {"question": "Is the code sent by e-mail?", "answer": "No, in Shopee chat.", "product": true},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 3, "{report}");
    assert_eq!(
        issues(&report, "duplicates"),
        BTreeMap::from([(5, "in_faq".to_string())])
    );
    let rejected = issues(&report, "rejected");
    assert_eq!(
        rejected.keys().copied().collect::<Vec<_>>(),
        vec![4, 6, 7],
        "{report}"
    );
    assert!(rejected[&4].contains("NOPE-SKU"), "{report}");
    let entries = all_faq(&fx.admin, "").await;
    let product_of = |q: &str| {
        entries
            .iter()
            .find(|e| e["question"] == q)
            .map(|e| e["product_id"].clone())
            .unwrap_or_else(|| panic!("{q:?} missing"))
    };
    assert_eq!(
        product_of("Berapa lama masa aktif Spotify Premium?"),
        spotify
    );
    assert_eq!(
        product_of("Is the Netflix account private or shared?"),
        netflix
    );
    assert_eq!(
        product_of("Can I renew the same Netflix account next month?"),
        netflix
    );

    // JSON: a bare list.
    let (status, report) = fx
        .admin
        .post(
            "/api/v1/faq/import",
            &json!([{"question": "Bisa request email sendiri untuk Spotify?",
                     "answer": "Bisa untuk paket individual.", "variants": ["Pakai email sendiri bisa?"],
                     "language": "id", "enabled": false}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(faq_total(&fx.admin).await, 9);

    // answer_<language> columns: the answer in other languages; an empty cell is none.
    let (status, report) = import(
        &fx.admin,
        "text/csv",
        "question,answer,language,answer_EN,answer_vi\n\
         Apakah akun Canva bisa dipakai di HP?,\"Bisa, login di aplikasi Canva.\",id,\"Yes, sign in in the Canva app.\",\n\
         Apakah ada faktur pajak?,Tidak ada faktur pajak.,id,,Không có hóa đơn thuế.\n",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    let canva = all_faq(&fx.admin, "q=Canva").await;
    assert_eq!(
        canva[0]["translations"],
        json!({"en": "Yes, sign in in the Canva app."}),
        "{canva:?}"
    );
    let tax = all_faq(&fx.admin, "q=faktur").await;
    assert_eq!(
        tax[0]["translations"],
        json!({"vi": "Không có hóa đơn thuế."}),
        "{tax:?}"
    );
    assert_eq!(faq_total(&fx.admin).await, 11);

    // Files that cannot be read at all: refused whole, nothing written.
    let refusals: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        (
            "text/csv",
            b"question,answer,colour\nWhat colour is the voucher?,Blue,red\n".to_vec(),
            422,
            "invalid_input",
            "colour",
        ),
        (
            "text/csv",
            b"question,answer,answer_english\nKapan dikirim?,Segera,Soon\n".to_vec(),
            422,
            "invalid_input",
            "answer_<language>",
        ),
        (
            "text/csv",
            b"question,answer,answer_en,answer_EN\nKapan dikirim?,Segera,Soon,Soon\n".to_vec(),
            422,
            "invalid_input",
            "twice",
        ),
        (
            "text/csv",
            b"pertanyaan,jawaban\nKapan dikirim?,Segera\n".to_vec(),
            422,
            "invalid_input",
            "question",
        ),
        (
            "text/csv",
            b"question,answer\nKapan kode dikirim?,Segera \xff\xfe dikirim\n".to_vec(),
            422,
            "invalid_input",
            "UTF-8",
        ),
        (
            "application/xml",
            b"<faq><question>Kapan?</question></faq>".to_vec(),
            400,
            "bad_request",
            "",
        ),
        (
            "application/json",
            br#"{"entries": [{"question": "Kapan?", "answer": "Segera"},"#.to_vec(),
            400,
            "bad_request",
            "",
        ),
        (
            "application/json",
            br#"{"entries": [{"question": "Kapan?", "answer": "Segera", "colour": "red"}]}"#
                .to_vec(),
            422,
            "invalid_input",
            "colour",
        ),
        (
            "application/json",
            br#"{"entries": [{"question": 42, "answer": "Segera"}]}"#.to_vec(),
            422,
            "invalid_input",
            "",
        ),
        (
            "application/json",
            br#"{"items": []}"#.to_vec(),
            422,
            "invalid_input",
            "",
        ),
    ];
    for (content_type, body, status, code, mentions) in refusals {
        let reply = import(&fx.admin, content_type, body.clone()).await;
        assert_error(&reply, status, code);
        assert!(
            reply.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains(mentions),
            "the message for {} should mention {mentions:?}: {}",
            String::from_utf8_lossy(&body),
            reply.1
        );
    }
    let (status, _, body) = fx
        .admin
        .request(
            Method::POST,
            "/api/v1/faq/import",
            &[],
            Some(b"question,answer\nKapan?,Segera\n".to_vec()),
        )
        .await;
    assert_error(&(status, body), 400, "bad_request");

    // Over the body limit (5 MiB by default): 413, sized or chunked, nothing imported.
    let mut big = String::from("question,answer\n");
    let mut i = 0;
    while big.len() < 6 * 1024 * 1024 {
        big.push_str(&format!(
            "Apakah voucher Google Play nomor {i} bisa dipakai di Indonesia?,Ya bisa.\n"
        ));
        i += 1;
    }
    let auth = format!("Bearer {}", fx.admin.token.as_deref().unwrap());
    let headers = [
        ("host", "127.0.0.1"),
        ("authorization", auth.as_str()),
        ("content-type", "text/csv"),
    ];
    for body in [
        RawBody::Sized(big.clone().into_bytes()),
        RawBody::Chunked(big.into_bytes()),
    ] {
        let reply = raw_http(
            &fx.server.addr(),
            "POST",
            "/api/v1/faq/import",
            &headers,
            body,
        )
        .await;
        assert_eq!(reply.status, 413, "{reply:?}");
        assert_eq!(
            reply.body["error"]["code"], "payload_too_large",
            "{reply:?}"
        );
    }
    assert_eq!(faq_total(&fx.admin).await, 11, "nothing half-imported");
}

// ---------------------------------------------------------------------------------------------
// 7. Bulk
// ---------------------------------------------------------------------------------------------

const GAMES: [&str; 20] = [
    "Mobile Legends",
    "Free Fire",
    "PUBG Mobile",
    "Genshin Impact",
    "Valorant",
    "Honkai Star Rail",
    "Call of Duty Mobile",
    "Clash of Clans",
    "Roblox",
    "Minecraft",
    "Steam Wallet",
    "Google Play",
    "Netflix",
    "Spotify",
    "YouTube Premium",
    "Disney Hotstar",
    "Canva Pro",
    "Point Blank",
    "Vidio Premier",
    "Garena Shells",
];
const AMOUNTS: [u32; 10] = [50, 100, 250, 500, 1000, 2000, 3000, 5000, 7500, 10000];
/// Per topic: the question and two other phrasings ({g} game, {a} amount).
const TOPICS: [[&str; 3]; 10] = [
    [
        "How long does the {a} {g} top-up take to arrive?",
        "Berapa lama {g} {a} masuk?",
        "When will my {a} {g} order be delivered?",
    ],
    [
        "How do I redeem the {a} {g} voucher?",
        "Cara redeem voucher {g} {a} gimana?",
        "Where do I type the {g} {a} code?",
    ],
    [
        "Which region can use the {a} {g} code?",
        "Kode {g} {a} bisa untuk region mana?",
        "Does the {g} {a} voucher work on every server?",
    ],
    [
        "Can I get a refund for the {a} {g} package?",
        "Bisa refund paket {g} {a}?",
        "Is my money back if the {g} {a} code fails?",
    ],
    [
        "When does the {a} {g} code expire?",
        "Kode {g} {a} kadaluarsa kapan?",
        "How long is the {g} {a} voucher valid?",
    ],
    [
        "Do I need to give my {g} password for the {a} top-up?",
        "Perlu password akun {g} untuk isi {a}?",
        "Is my {g} login needed for the {a} package?",
    ],
    [
        "Is the {a} {g} package in stock?",
        "Stok {g} {a} masih ada?",
        "Can I still buy the {g} {a} package today?",
    ],
    [
        "Is there a bonus with the {a} {g} purchase?",
        "Ada bonus beli {g} {a}?",
        "Do I get extra items with {g} {a}?",
    ],
    [
        "Can I buy the {a} {g} package as a gift?",
        "Bisa beli {g} {a} untuk hadiah teman?",
        "Can the {g} {a} code be sent to a friend?",
    ],
    [
        "Does the {a} {g} package work on iPhone?",
        "{g} {a} bisa dipakai di iPhone?",
        "Can I use the {g} {a} voucher on iOS?",
    ],
];

/// 2,000 generated entries, each with two variants.
fn generated_faq() -> Vec<Value> {
    let mut out = Vec::with_capacity(2000);
    for game in GAMES {
        for (t, topic) in TOPICS.iter().enumerate() {
            for amount in AMOUNTS {
                let fill = |s: &str| s.replace("{g}", game).replace("{a}", &amount.to_string());
                // Some entries answer in English and Vietnamese too, some in one of them.
                let translations = match (amount / 1000 + t as u32) % 4 {
                    0 => json!({}),
                    1 => {
                        json!({"en": format!("Answer for {game} {amount} (topic {t}): contact us if anything goes wrong.")})
                    }
                    2 => {
                        json!({"vi": format!("Trả lời cho {game} {amount} (chủ đề {t}): liên hệ shop nếu có vấn đề.")})
                    }
                    _ => json!({
                        "en": format!("Answer for {game} {amount}, topic {t}.\nLine two, \"quoted\"."),
                        "vi": format!("Trả lời cho {game} {amount}, chủ đề {t}."),
                    }),
                };
                out.push(json!({
                    "question": fill(topic[0]),
                    "variants": [fill(topic[1]), fill(topic[2])],
                    "answer": format!("Jawaban untuk {game} {amount} (topik {t}): hubungi admin jika ada kendala."),
                    "language": "id",
                    "translations": translations,
                    "tags": [game, format!("topik-{t}")],
                }));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_entries_are_imported_indexed_and_exported_round_trip() {
    let fx = Fixture::new();
    let entries = generated_faq();
    assert_eq!(entries.len(), 2000);
    let target_q = "Which region can use the 5000 Genshin Impact code?";
    let gift_q = "Can I buy the 1000 Netflix package as a gift?";

    let started = Instant::now();
    let (status, report) = fx
        .admin
        .post("/api/v1/faq/import", &json!({ "entries": entries }))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2000, "{report}");
    assert!(issues(&report, "duplicates").is_empty(), "{report}");
    assert!(issues(&report, "rejected").is_empty(), "{report}");
    let imported_in = started.elapsed();

    // Every entry is listed, each once.
    let listed = all_faq(&fx.admin, "").await;
    assert_eq!(listed.len(), 2000);
    let ids: BTreeSet<i64> = listed.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 2000);
    let id_of_q = |q: &str| {
        listed
            .iter()
            .find(|e| e["question"] == q)
            .and_then(|e| e["id"].as_i64())
            .unwrap_or_else(|| panic!("{q:?} not listed"))
    };
    let target = id_of_q(target_q);
    let gift = id_of_q(gift_q);

    let status = wait_until_indexed(&fx.admin, Duration::from_secs(300)).await;
    let indexed_in = started.elapsed();
    assert_eq!(status["search"]["variants"], 6000, "{status}");
    assert_eq!(status["search"]["mode"], "hybrid", "{status}");
    let health = ok(fx.admin.with_token(None).get("/api/v1/health").await);
    assert_eq!(health["assistant"]["indexing"], false, "{health}");

    for (text, id) in [
        (
            "does the genshin impact 5000 top up work on the asia server?",
            target,
        ),
        (
            "can i send the netflix 1000 code to my friend as a present?",
            gift,
        ),
    ] {
        let found = search(&fx.admin, text, None).await;
        assert_eq!(top(&found), Some(id), "{text:?}: {}", describe(&found));
        assert!(
            cosine_of(&found, id) > 0.6,
            "found through its vector: {}",
            describe(&found)
        );
        assert!(
            found["micros"].as_u64().unwrap() < 2_000_000,
            "a search over 6,000 variants stays fast: {}",
            describe(&found)
        );
    }

    // Export as CSV and import into a fresh server: the same FAQ.
    let (status, headers, body) = fx
        .admin
        .request(Method::GET, "/api/v1/faq/export?format=csv", &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{headers:?}"
    );
    let csv = body.as_str().expect("CSV text").to_string();
    assert!(
        csv.starts_with(
            "question,answer,variants,product,language,tags,enabled,answer_en,answer_vi\n"
        ),
        "translations are answer_<language> columns: {}",
        csv.lines().next().unwrap_or("")
    );
    let exported = ok(fx.admin.get("/api/v1/faq/export?format=json").await);
    assert_eq!(exported["entries"].as_array().unwrap().len(), 2000);

    let fresh = Fixture::new();
    let (status, report) = import(&fresh.admin, "text/csv", csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2000, "{report}");
    assert!(issues(&report, "duplicates").is_empty(), "{report}");
    assert!(issues(&report, "rejected").is_empty(), "{report}");
    let again = ok(fresh.admin.get("/api/v1/faq/export?format=json").await);
    let set = |v: &Value| -> BTreeSet<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(content)
            .collect()
    };
    assert_eq!(
        set(&again),
        set(&exported),
        "the CSV export round-trips every field"
    );
    // The JSON export imports as it is, too.
    let other = Fixture::new();
    let (status, report) = other.admin.post("/api/v1/faq/import", &exported).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2000, "{report}");
    let from_json = ok(other.admin.get("/api/v1/faq/export?format=json").await);
    assert_eq!(
        set(&from_json),
        set(&exported),
        "the JSON export round-trips every field"
    );
    eprintln!("2,000 entries: imported in {imported_in:?}, indexed in {indexed_in:?}");
}

// ---------------------------------------------------------------------------------------------
// 8. Bad input and access
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_faq_input_is_refused_and_writes_nothing() {
    let fx = Fixture::new();
    let netflix = product_id(&create_product(&fx.admin, &netflix_product()).await);
    let &(_, question, variants, answer) = seed("delivery");
    let id = create_faq(&fx.admin, &faq_body(question, variants, answer)).await;
    let good = faq_body(
        "Apakah bisa beli lebih dari satu akun?",
        &["Can I order two accounts?"],
        "Bisa, atur jumlah saat checkout.",
    );

    // The same question (case and spaces aside) in the same scope is a conflict...
    let mut same = faq_body(
        &format!("  {}  ", question.to_uppercase()),
        &[],
        "Another answer",
    );
    assert_error(&fx.admin.post("/api/v1/faq", &same).await, 409, "conflict");
    // ...but another scope may ask it too.
    same["product_id"] = json!(netflix);
    create_faq(&fx.admin, &same).await;
    let before = faq_total(&fx.admin).await;

    let with = |pointer: &str, value: Value| {
        let mut body = good.clone();
        body[pointer] = value;
        body
    };
    let many: Vec<String> = (0..51).map(|i| format!("Variant nomor {i}?")).collect();
    let bad_bodies = vec![
        with("question", json!("")),
        with("question", json!("   ")),
        with("question", json!("Kapan\ndikirim?")),
        with("question", json!("q".repeat(501))),
        with("answer", json!("")),
        with("answer", json!("a".repeat(2001))),
        with("answer", json!("é".repeat(2001))),
        with("variants", json!(many)),
        with("variants", json!("Can I order two accounts?")),
        with("variants", json!([1, 2])),
        with("tags", json!("toko")),
        with("enabled", json!("yes")),
        with("product_id", json!("NFX-1M")),
        with("product_id", json!(999_999)),
        with("question", json!(42)),
        with("colour", json!("red")),
        // The answer in other languages: an object of language code → text.
        with(
            "translations",
            json!(["Yes, set the quantity at checkout."]),
        ),
        with("translations", json!({"en": 5})),
        with("translations", json!({"en": ""})),
        with("translations", json!({"en": "   "})),
        with("translations", json!({"english": "Yes."})),
        with("translations", json!({"e": "Yes."})),
        with("translations", json!({"en_us": "Yes."})),
        with("translations", json!({"": "Yes."})),
        with("translations", json!({"en": "a".repeat(2001)})),
        with("translations", json!({"en": "Yes.", "EN": "Also yes."})),
        with("translations", json!({"en": "Yes\u{7}."})),
        with(
            "translations",
            json!((0..11)
                .map(|i| (format!("l{}", (b'a' + i) as char), "Yes."))
                .collect::<BTreeMap<_, _>>()),
        ),
        // A translation into the entry's own language: that text is the answer.
        {
            let mut b = with("translations", json!({"ID": "Bisa."}));
            b["language"] = json!("id");
            b
        },
        json!({"answer": "no question"}),
        json!({"question": "No answer?"}),
        json!([good.clone()]),
    ];
    for body in &bad_bodies {
        assert_error(
            &fx.admin.post("/api/v1/faq", body).await,
            422,
            "invalid_input",
        );
    }
    let reply = fx
        .admin
        .raw(
            Method::POST,
            "/api/v1/faq",
            "application/json",
            "{\"question\":",
        )
        .await;
    assert_error(&reply, 400, "bad_request");
    assert_eq!(faq_total(&fx.admin).await, before, "nothing was created");

    // The limits themselves are fine (counted in characters, not bytes).
    let many: Vec<String> = (0..50).map(|i| format!("Variant nomor {i}?")).collect();
    let mut body = with("answer", json!("é".repeat(2000)));
    body["variants"] = json!(many);
    let at_limit = create_faq(&fx.admin, &body).await;
    let entry = ok(fx.admin.get(&format!("/api/v1/faq/{at_limit}")).await);
    assert_eq!(entry["variants"].as_array().unwrap().len(), 50);
    assert_eq!(entry["answer"].as_str().unwrap().chars().count(), 2000);

    // PATCH refuses the same things and leaves the entry as it was.
    let path = format!("/api/v1/faq/{id}");
    let original = ok(fx.admin.get(&path).await);
    for patch in [
        json!({"question": ""}),
        json!({"answer": "a".repeat(2001)}),
        json!({"variants": (0..51).map(|i| format!("v{i}")).collect::<Vec<_>>()}),
        json!({"product_id": 999_999}),
        json!({"enabled": "no"}),
        json!({"colour": "red"}),
        json!({"tags": [true]}),
        json!({"translations": {"en": ""}}),
        json!({"translations": {"bahasa": "Kode dikirim."}}),
        json!({"translations": "en: It is sent."}),
        json!({"translations": {"id": "Kode dikirim."}}),
    ] {
        assert_error(&fx.admin.patch(&path, &patch).await, 422, "invalid_input");
    }
    assert_eq!(ok(fx.admin.get(&path).await), original);

    // Ids in the path.
    for bad in ["abc", "1.5", "-", "%F0%9F%92%8E"] {
        let reply = fx.admin.get(&format!("/api/v1/faq/{bad}")).await;
        assert_error(&reply, 400, "bad_request");
    }
    let reply = fx.admin.delete("/api/v1/faq/abc").await;
    assert_error(&reply, 400, "bad_request");
    assert_error(
        &fx.admin.get("/api/v1/faq/999999999").await,
        404,
        "not_found",
    );

    // Search and list input.
    for body in [
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": 5}),
        json!({"text": "kapan dikirim?", "product_id": "NFX-1M"}),
        json!({"text": "kapan dikirim?", "colour": "red"}),
        json!({}),
    ] {
        assert_error(
            &fx.admin.post("/api/v1/assistant/search", &body).await,
            422,
            "invalid_input",
        );
    }
    for query in ["limit=abc", "product_id=NFX", "enabled=maybe", "cursor=x"] {
        assert_error(
            &fx.admin.get(&format!("/api/v1/faq?{query}")).await,
            422,
            "invalid_input",
        );
    }
    assert_error(
        &fx.admin.get("/api/v1/faq/export?format=xlsx").await,
        422,
        "invalid_input",
    );

    // Access: the extension's token is not enough, no token is nothing.
    let ext = fx.extension();
    let anonymous = fx.admin.with_token(None);
    for (api, status, code) in [(&ext, 403, "forbidden"), (&anonymous, 401, "unauthorized")] {
        assert_error(&api.get("/api/v1/faq").await, status, code);
        assert_error(&api.get(&path).await, status, code);
        assert_error(&api.post("/api/v1/faq", &good).await, status, code);
        assert_error(
            &api.patch(&path, &json!({"answer": "hijacked"})).await,
            status,
            code,
        );
        assert_error(&api.delete(&path).await, status, code);
        assert_error(
            &api.post("/api/v1/faq/import", &json!({"entries": [good]}))
                .await,
            status,
            code,
        );
        assert_error(&api.get("/api/v1/faq/export").await, status, code);
        assert_error(
            &api.post("/api/v1/assistant/search", &json!({"text": "kapan?"}))
                .await,
            status,
            code,
        );
        assert_error(&api.get("/api/v1/assistant/status").await, status, code);
        assert_error(
            &api.post("/api/v1/assistant/rebuild", &json!({})).await,
            status,
            code,
        );
    }
    assert_eq!(ok(fx.admin.get(&path).await), original);
    assert_eq!(faq_total(&fx.admin).await, before + 1);
    let health = ok(anonymous.get("/api/v1/health").await);
    assert_eq!(health["assistant"]["search"], "hybrid", "{health}");

    // The API description names the FAQ endpoints.
    let doc = ok(anonymous.get("/api/v1/openapi.json").await);
    for p in [
        "/api/v1/faq",
        "/api/v1/faq/{id}",
        "/api/v1/faq/import",
        "/api/v1/faq/export",
        "/api/v1/assistant/search",
        "/api/v1/assistant/status",
    ] {
        assert!(doc["paths"][p].is_object(), "openapi.json lacks {p}");
    }
}

// ---------------------------------------------------------------------------------------------
// Known bugs (see the reasons): these fail today.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_entry_never_inherits_the_vectors_of_a_deleted_one() {
    let fx = Fixture::new();
    let faq = seed_shop_faq(&fx.admin).await;
    let sharing_q = seed("sharing").1;
    assert_eq!(
        top(&search(&fx.admin, sharing_q, None).await),
        Some(faq["sharing"])
    );
    // `sharing` is the newest entry: its variants hold the highest ids.
    let (status, _) = fx
        .admin
        .delete(&format!("/api/v1/faq/{}", faq["sharing"]))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let hours = create_faq(
        &fx.admin,
        &faq_body(
            "Apakah toko buka hari Minggu?",
            &["Is the shop open on Sunday?", "Admin online jam berapa?"],
            "Toko buka setiap hari 08.00-22.00 WIB.",
        ),
    )
    .await;
    let found = search(&fx.admin, sharing_q, None).await;
    assert!(
        cosine_of(&found, hours) < 0.8,
        "the deleted question must not match the shop-hours entry: {}",
        describe(&found)
    );
    assert!(
        found["would_answer"] == false || top(&found) != Some(hours),
        "{}",
        describe(&found)
    );
    let found = search(&fx.admin, "Is the shop open on Sunday?", None).await;
    assert_eq!(top(&found), Some(hours), "{}", describe(&found));
    assert!(cosine_of(&found, hours) > 0.99, "{}", describe(&found));

    // The same through an edit that drops the newest variant and adds another.
    ok(fx
        .admin
        .patch(
            &format!("/api/v1/faq/{hours}"),
            &json!({"variants": ["Is the shop open on Sunday?", "Do you reply to chats at night?"]}),
        )
        .await);
    let found = search(&fx.admin, "Do you reply to chats at night?", None).await;
    assert_eq!(top(&found), Some(hours), "{}", describe(&found));
    assert!(cosine_of(&found, hours) > 0.99, "{}", describe(&found));
    let found = search(&fx.admin, "Admin online jam berapa?", None).await;
    assert!(
        cosine_of(&found, hours) < 0.95,
        "the removed phrasing still matches: {}",
        describe(&found)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imported_entries_are_found_by_their_words_before_they_are_embedded() {
    let fx = Fixture::new();
    let entries = generated_faq();
    let last = entries.last().unwrap()["question"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, report) = fx
        .admin
        .post("/api/v1/faq/import", &json!({ "entries": entries }))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let listed = all_faq(&fx.admin, "enabled=true").await;
    let id = listed
        .iter()
        .find(|e| e["question"] == last.as_str())
        .and_then(|e| e["id"].as_i64())
        .unwrap();
    // The newest entry is embedded last: search once the indexer has done some, not all.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = ok(fx.admin.get("/api/v1/assistant/status").await);
        if status["search"]["indexed"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "nothing indexed: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let found = search(&fx.admin, &last, None).await;
    let status = ok(fx.admin.get("/api/v1/assistant/status").await);
    assert_eq!(
        status["search"]["indexing"], true,
        "too late to see it: {status}"
    );
    assert!(
        found["would_answer"] == false || top(&found) == Some(id),
        "a confident answer with the wrong entry: {}",
        describe(&found)
    );
    assert_eq!(
        top(&found),
        Some(id),
        "the exact question is found by its words: {}",
        describe(&found)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_exact_question_ranks_first_among_near_twins() {
    let fx = Fixture::new();
    let big = create_faq(
        &fx.admin,
        &faq_body(
            "Can I buy the 10000 Netflix package as a gift?",
            &[],
            "Paket 10000: bisa.",
        ),
    )
    .await;
    let small = create_faq(
        &fx.admin,
        &faq_body(
            "Can I buy the 1000 Netflix package as a gift?",
            &[],
            "Paket 1000: bisa.",
        ),
    )
    .await;
    let found = search(
        &fx.admin,
        "Can I buy the 1000 Netflix package as a gift?",
        None,
    )
    .await;
    assert_eq!(top(&found), Some(small), "{}", describe(&found));
    let found = search(
        &fx.admin,
        "Can I buy the 10000 Netflix package as a gift?",
        None,
    )
    .await;
    assert_eq!(top(&found), Some(big), "{}", describe(&found));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edit_cannot_give_two_entries_the_same_question() {
    let fx = Fixture::new();
    let faq = seed_shop_faq(&fx.admin).await;
    let path = format!("/api/v1/faq/{}", faq["refund"]);
    let before = ok(fx.admin.get(&path).await);
    let reply = fx
        .admin
        .patch(
            &path,
            &json!({"question": seed("delivery").1.to_lowercase()}),
        )
        .await;
    assert_error(&reply, 409, "conflict");
    assert_eq!(ok(fx.admin.get(&path).await), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn csv_import_lines_are_the_lines_of_the_file() {
    let fx = Fixture::new();
    let csv = "question,answer\n\
               How do I redeem the Steam code?,\"1. Open Steam.\n2. Games > Redeem a Steam Wallet Code.\n3. Enter the code.\"\n\
               \n\
               Kapan kode dikirim?,1-5 menit setelah bayar.\n\
               kapan kode DIKIRIM?,Duplicate\n\
               Broken,row,with,too,many\n";
    // Lines: 1 header, 2-4 the multi-line answer, 5 blank, 6 ok, 7 duplicate, 8 broken.
    let (status, report) = import(&fx.admin, "text/csv", csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(
        issues(&report, "duplicates"),
        BTreeMap::from([(7, "in_file".to_string())]),
        "{report}"
    );
    assert_eq!(
        issues(&report, "rejected")
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        vec![8],
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_damaged_index_data_file_is_rebuilt_not_fatal() {
    let mut fx = Fixture::new();
    let dir = fx.dir.path().to_path_buf();
    let faq = seed_shop_faq(&fx.admin).await;
    let token = fx.admin.token.clone().unwrap();
    assert!(fx.server.terminate().success());
    let data = index_dir(&dir).join("faq.hnsw.data");
    let len = std::fs::metadata(&data).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&data)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let server = Server::start(&dir);
    let api = server.api(Some(&token));
    wait_until_indexed(&api, Duration::from_secs(60)).await;
    let found = search(&api, "how long until I get the key?", None).await;
    assert_eq!(top(&found), Some(faq["delivery"]), "{}", describe(&found));
    assert!(cosine_of(&found, faq["delivery"]) > 0.3);
}
