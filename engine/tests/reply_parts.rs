//! Replies to buyers in chat-sized parts, as deliveries are: an FAQ answer longer than Shopee
//! chat takes in one message is cut by the delivery splitter under the seller's chat limit,
//! handed to the extension with its parts, and posted part by part on the Open Platform road,
//! which records each part Shopee took so that a crash never posts one twice. The parts are
//! fixed when a road first takes the reply: a limit changed afterwards does not recut them.

use crate::shopee_api::{configure, connect_with_code, on_request, settle_after_connect, sync};
use crate::support;

use std::time::Duration;

use auto_engine::delivery::parts::split_text;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::shopee_mock::*;
use support::*;

const SHOP: u64 = 610_007_777;
const BUYER: u64 = 9_101;
const QUESTION: &str = "Apakah ada garansi kalau kode tidak bisa dipakai?";

/// An FAQ answer of about 1,500 characters, in paragraphs, as a seller writes a warranty policy.
const LONG_ANSWER: &str = "Garansi berlaku 30 hari sejak kode dikirim lewat chat ini. Kalau kode \
tidak bisa diaktivasi, jangan khawatir kak: kirim nomor pesanan, tangkapan layar pesan error yang \
muncul, dan jam kakak mencoba aktivasi. Tim kami memeriksa setiap laporan dalam 1x24 jam pada hari \
kerja, biasanya jauh lebih cepat. Kalau kodenya memang bermasalah, kami kirim kode pengganti di chat \
ini tanpa biaya tambahan, dan kode lama kami nonaktifkan supaya tidak dipakai orang lain.

Sebelum melapor, mohon cek beberapa hal berikut ya kak. Pertama, pastikan kode diketik persis \
seperti yang kami kirim, termasuk tanda hubung, tanpa spasi di awal atau di akhir; paling aman salin \
dan tempel langsung dari chat. Kedua, pastikan region akun kakak sesuai dengan region kode: kode \
Indonesia hanya bisa dipakai di akun region Indonesia. Ketiga, pastikan akun kakak tidak sedang \
dibatasi oleh penyedia layanan, misalnya karena verifikasi email yang belum selesai. Keempat, coba \
keluar lalu masuk lagi ke akun, atau gunakan browser lain, karena kadang halaman penukaran menyimpan \
data lama.

Garansi tidak berlaku untuk kode yang sudah berhasil dipakai, akun yang diblokir karena pelanggaran \
aturan penyedia layanan, atau pembelian yang salah pilih varian. Untuk salah varian, hubungi kami \
sebelum kode dipakai dan kami bantu tukar sesuai stok. Kalau ada pertanyaan lain tentang cara pakai, \
jadwal pengiriman atau metode pembayaran, tulis saja di chat ini dan kami jawab secepatnya. Terima \
kasih sudah belanja di toko kami, semoga harinya menyenangkan!";

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every part within `limit` and not blank; the parts in order are the text, cut only at the
/// whitespace between them.
#[track_caller]
fn assert_cut(parts: &[String], text: &str, limit: usize) {
    assert_parts_fit(parts, limit);
    assert_eq!(squash(&parts.join(" ")), squash(text), "{parts:#?}");
}

/// The FAQ entry whose answer is `LONG_ANSWER`.
async fn long_faq(admin: &Api) {
    let (status, entry) = admin
        .post(
            "/api/v1/faq",
            &json!({
                "question": QUESTION,
                "variants": ["Kode tidak bisa diaktivasi, bagaimana?",
                             "Is there a warranty if the key does not work?"],
                "answer": LONG_ANSWER, "language": "id", "enabled": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
}

/// A buyer's message as the extension reports it; returns the outcome.
async fn buyer_asks(ext: &Api, text: &str) -> Value {
    let body = json!({
        "shop": SHOP.to_string(),
        "conversation_id": "77001",
        "buyer": {"username": "budi_santoso", "user_id": BUYER},
        "text": text,
    });
    let (status, outcome) = ext.post("/api/v1/messages", &body).await;
    assert_eq!(status, StatusCode::OK, "POST /messages: {outcome}");
    outcome
}

async fn replies_of(admin: &Api, conversation: &Value) -> Vec<Value> {
    let detail = ok(admin
        .get(&format!("/api/v1/conversations/{conversation}"))
        .await);
    detail["replies"].as_array().expect("replies").clone()
}

async fn seller_says(admin: &Api, conversation: &Value, text: &str) -> Value {
    ok(admin
        .post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            &json!({ "text": text }),
        )
        .await)
}

#[tokio::test]
async fn a_long_faq_answer_is_handed_out_in_chat_sized_parts_fixed_once_a_road_takes_it() {
    assert!(
        (1400..=1600).contains(&chat_len(LONG_ANSWER)),
        "{}",
        chat_len(LONG_ANSWER)
    );
    let fx = Fixture::new();
    let ext = fx.extension();
    long_faq(&fx.admin).await;
    let outcome = buyer_asks(&ext, QUESTION).await;
    assert_eq!(outcome["reply"]["source"], "faq", "{outcome}");
    assert_eq!(outcome["reply"]["status"], "pending", "{outcome}");
    let conv = outcome["conversation"].clone();

    // The extension gets the text (older extensions type it) and its parts, in order.
    let page = ok(ext.get("/api/v1/replies?status=pending&limit=50").await);
    let list = page["replies"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{page}");
    let reply = &list[0];
    assert_eq!(reply["text"], LONG_ANSWER);
    assert_eq!(reply["parts_sent"], 0, "{reply}");
    let parts = texts(&reply["parts"]);
    assert!(parts.len() >= 3, "1,500 characters under 600: {parts:#?}");
    assert_cut(&parts, LONG_ANSWER, 600);
    assert_eq!(
        parts,
        split_text(LONG_ANSWER, 600),
        "the delivery splitter's cut"
    );
    assert!(
        parts[0].starts_with("Garansi berlaku 30 hari"),
        "{parts:#?}"
    );
    assert!(parts
        .last()
        .unwrap()
        .ends_with("semoga harinya menyenangkan!"));

    // The seller lowers the limit while the extension types it: the reply on its way keeps its
    // parts; a reply no road has taken yet is cut under the new limit.
    ok(fx
        .admin
        .put("/api/v1/settings/delivery", &json!({"chat_limit": 200}))
        .await);
    let waiting_text = &LONG_ANSWER[..LONG_ANSWER.find("\n\n").unwrap()];
    let waiting = seller_says(&fx.admin, &conv, waiting_text).await;
    let waiting_parts = texts(&waiting["parts"]);
    assert!(waiting_parts.len() >= 3, "{waiting_parts:#?}");
    assert_cut(&waiting_parts, waiting_text, 200);
    let now = replies_of(&fx.admin, &conv).await;
    let first = now.iter().find(|r| r["id"] == reply["id"]).unwrap();
    assert_eq!(
        texts(&first["parts"]),
        parts,
        "a reply on its way is not recut"
    );

    // Confirmed (every part showed in the chat), it is sent.
    let done = ok(ext
        .post(
            &format!("/api/v1/replies/{}/confirm", reply["id"]),
            &json!({}),
        )
        .await);
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!(texts(&done["parts"]), parts);

    // A short reply is one part: its text.
    let short = seller_says(&fx.admin, &conv, "Siap kak, stok ready.").await;
    assert_eq!(
        texts(&short["parts"]),
        vec!["Siap kak, stok ready.".to_string()]
    );
}

#[tokio::test]
async fn replies_in_vietnamese_thai_and_emoji_are_cut_between_characters_as_a_reader_sees_them() {
    let fx = Fixture::new();
    let outcome = buyer_asks(&fx.extension(), "halo kak").await;
    let conv = outcome["conversation"].clone();

    // Vietnamese: words with stacked diacritics, cut at spaces, none broken.
    let vietnamese = "Cảm ơn quý khách đã mua hàng. Mã kích hoạt được gửi qua trò chuyện trong \
        vòng năm phút sau khi thanh toán được xác nhận; nếu mã không dùng được, hãy gửi ảnh chụp \
        màn hình lỗi để chúng tôi đổi mã mới miễn phí trong thời hạn bảo hành ba mươi ngày. "
        .repeat(3);
    let vietnamese = vietnamese.trim();
    let parts = texts(&seller_says(&fx.admin, &conv, vietnamese).await["parts"]);
    assert!(parts.len() >= 2, "{parts:#?}");
    assert_cut(&parts, vietnamese, 600);
    let words: Vec<&str> = vietnamese.split_whitespace().collect();
    let back: Vec<&str> = parts.iter().flat_map(|p| p.split_whitespace()).collect();
    assert_eq!(back, words, "no word cut");

    // Thai, written without spaces: cut inside the run, but a vowel or tone mark stays on its
    // consonant. One "ก" first puts the 600th unit between "ที" and its "่".
    let thai = format!("ก{}", "ที่".repeat(250));
    let parts = texts(&seller_says(&fx.admin, &conv, &thai).await["parts"]);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts.concat(), thai, "nothing lost or added");
    assert!(parts.iter().all(|p| chat_len(p) <= 600));
    assert_eq!(
        chat_len(&parts[0]),
        598,
        "cut before the cluster that does not fit"
    );
    assert!(
        parts[1].starts_with("ที่"),
        "the second part starts with a whole syllable: {:?}",
        parts[1].chars().take(3).collect::<String>()
    );

    // Emoji: a family is one thing to a reader (8 UTF-16 units); none is split across parts.
    const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";
    let emoji = format!("a{}", FAMILY.repeat(100));
    let parts = texts(&seller_says(&fx.admin, &conv, &emoji).await["parts"]);
    assert_eq!(parts.concat(), emoji);
    assert!(parts.len() >= 2, "{parts:?}");
    assert!(parts.iter().all(|p| chat_len(p) <= 600));
    for p in &parts {
        assert!(
            p.trim_start_matches('a').replace(FAMILY, "").is_empty(),
            "a part holds whole families only"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_faq_answer_goes_to_seller_chat_part_by_part_once_each_across_a_crash_after_part_one(
) {
    let mock = ShopeeMock::start();
    mock.add_shop(SHOP, "Toko Kunci Murah");
    let mut fx = Fixture::with(on_request());
    configure(&fx.admin, &mock).await;
    long_faq(&fx.admin).await;
    connect_with_code(&fx.admin, &mock, SHOP).await;
    settle_after_connect(&fx.admin).await;

    // The first part is answered; the second reaches the buyer, its answer never comes, and
    // AUTO dies waiting.
    mock.hang_after_sends(1);
    mock.buyer_says(SHOP, BUYER, "budi_santoso", QUESTION);
    let admin = fx.admin.clone();
    let stuck = tokio::spawn(async move {
        for _ in 0..3 {
            if admin
                .try_post("/api/v1/shopee/sync", &json!({}))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let m = &mock;
    eventually(
        Duration::from_secs(60),
        "the second part to hang",
        || async move { (m.hung_sends() == 1).then_some(()) },
    )
    .await;
    assert_eq!(
        mock.sent_to(SHOP, BUYER).len(),
        2,
        "two parts with the buyer"
    );
    fx.server.restart();
    let _ = stuck.await;
    let admin = fx.admin.with_base(&fx.server.url);

    let list = ok(admin.get("/api/v1/conversations?limit=200").await);
    let conv = list["conversations"][0]["id"].clone();
    let reply = replies_of(&admin, &conv).await[0].clone();
    assert_eq!(reply["status"], "pending", "{reply}");
    assert_eq!(
        reply["parts_sent"], 1,
        "the answered part is recorded: {reply}"
    );
    let parts = texts(&reply["parts"]);
    assert!(parts.len() >= 3, "{parts:#?}");

    let mut reply = reply;
    for _ in 0..5 {
        sync(&admin).await;
        reply = replies_of(&admin, &conv).await[0].clone();
        if reply["status"] == "sent" {
            break;
        }
    }
    assert_eq!(reply["status"], "sent", "{reply}");
    assert_eq!(reply["parts_sent"], parts.len(), "{reply}");

    // Each part once, in order, each within Shopee's 600 (the stand-in refuses longer ones).
    let got = mock.sent_to(SHOP, BUYER);
    assert_eq!(got, parts, "the chat holds the parts once each, in order");
    assert_cut(&got, LONG_ANSWER, 600);
    assert!(mock.refusals().is_empty(), "{:?}", mock.refusals());
}
