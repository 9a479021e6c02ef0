// Trail events and needs-attention reasons in words: every code of the engine's `orders::Note`
// (engine/src/orders/note.rs) with a template per language, filled from the event's params.
// Plain Rust with nothing imported, so that the engine's tests can include this very file
// (engine/tests/note_words.rs): they check that every code the engine writes has words here
// in both languages, and that the English ones say what the engine's own English says.

/// (key, English, Indonesian). A key is a code, or `code.variant` where the words depend on a
/// parameter (see `key_of`). In a template, `{name}` is a parameter, `{name:kind}` a parameter
/// worded by its kind (`status`, `actor`), and `[...]` a part left out when a parameter in it
/// is missing, null or empty.
pub const NOTES: &[(&str, &str, &str)] = &[
    (
        "reported",
        "reported as {status:status}",
        "dilaporkan sebagai {status:status}",
    ),
    (
        "reported_fulfilled_before",
        "reported as {status:status}; fulfilled on Shopee before AUTO saw it, so not delivered again",
        "dilaporkan sebagai {status:status}; sudah dipenuhi di Shopee sebelum AUTO melihatnya, jadi tidak dikirim lagi",
    ),
    (
        "unknown_status",
        "reported as '{raw}', a status AUTO does not know: kept unpaid and not delivered",
        "dilaporkan sebagai '{raw}', status yang tidak dikenal AUTO: tetap belum dibayar dan tidak dikirim",
    ),
    (
        "allocated",
        "items allocated; delivery waiting to be sent in chat",
        "barang dialokasikan; pengiriman menunggu dikirim di chat",
    ),
    (
        "out_of_stock",
        "'{product}' has {have} in stock, this order needs {want}; import more stock",
        "stok '{product}' tinggal {have}, pesanan ini butuh {want}; tambah stok",
    ),
    (
        "unknown_sku",
        "SKU '{sku}'[ (item {item_id}[, model {model_id}])] matches no product; add it to a product's SKU or mapping",
        "SKU '{sku}'[ (produk {item_id}[, variasi {model_id}])] tidak cocok dengan produk mana pun; tambahkan ke SKU atau pemetaan sebuah produk",
    ),
    (
        "product_inactive",
        "product '{product}' is not active",
        "produk '{product}' tidak aktif",
    ),
    (
        "delivery_confirmed",
        "delivery confirmed in chat",
        "pengiriman dikonfirmasi di chat",
    ),
    (
        "resent_delivery_confirmed",
        "resent delivery confirmed in chat",
        "kiriman ulang dikonfirmasi di chat",
    ),
    (
        "cancelled_delivery_sent",
        "a cancelled delivery was sent anyway",
        "pengiriman yang sudah dibatalkan tetap terkirim",
    ),
    (
        "resend_requested",
        "resend requested",
        "kirim ulang diminta",
    ),
    (
        "shopee_completed",
        "Shopee reported it completed",
        "Shopee melaporkannya selesai",
    ),
    (
        "chat_refused",
        "Shopee chat refused the message: {said}",
        "chat Shopee menolak pesan: {said}",
    ),
    (
        "chat_refused.first_chat_without_order_info",
        "Shopee does not let the shop open a chat with this buyer from the API before the buyer has an order conversation; send it from the order page in Seller Centre, then mark it delivered ({refusal})",
        "Shopee tidak mengizinkan toko memulai chat dengan pembeli ini lewat API sebelum pembeli punya percakapan pesanan; kirim dari halaman pesanan di Seller Centre, lalu tandai terkirim ({refusal})",
    ),
    (
        "chat_refused.user_is_forbidden",
        "Shopee does not allow messages to this buyer (the account is restricted or has blocked chat) ({refusal})",
        "Shopee tidak mengizinkan pesan ke pembeli ini (akunnya dibatasi atau memblokir chat) ({refusal})",
    ),
    (
        "chat_refused.five_messages",
        "Shopee allows only 5 messages in a row before the buyer answers; wait for the buyer's reply, then send again ({refusal})",
        "Shopee hanya mengizinkan 5 pesan berturut-turut sebelum pembeli membalas; tunggu balasan pembeli, lalu kirim lagi ({refusal})",
    ),
    (
        "chat_refused.message_too_long",
        "a message is longer than Shopee chat takes (600 characters); set the longest chat message in Settings → Automatic delivery to 600 or less, then send it again ({refusal})",
        "pesan lebih panjang dari yang diterima chat Shopee (600 karakter); atur panjang pesan chat maksimum di Pengaturan → Pengiriman otomatis ke 600 atau kurang, lalu kirim lagi ({refusal})",
    ),
    (
        "chat_refused.blocked",
        "the buyer has blocked chat with this shop ({refusal})",
        "pembeli telah memblokir chat dengan toko ini ({refusal})",
    ),
    (
        "refused_delivery_requeued",
        "the seller asked to send the refused delivery again",
        "penjual meminta pengiriman yang ditolak dikirim lagi",
    ),
    (
        "set_by",
        "set to {status:status} by {actor:actor}",
        "diubah menjadi {status:status} oleh {actor:actor}",
    ),
    // The seller's own words, in whatever language they were written.
    ("seller_note", "{text}", "{text}"),
    (
        "delivered_by_hand",
        "delivered by hand[: {note}]",
        "dikirim manual[: {note}]",
    ),
    (
        "items_returned",
        "{count} item(s) no one had seen went back to stock",
        "{count} barang yang belum dilihat siapa pun kembali ke stok",
    ),
    (
        "items_held",
        "{count} item(s) were already handed out or shown: held until you put them back in stock or void them",
        "{count} barang sudah diserahkan atau ditampilkan: ditahan sampai Anda mengembalikannya ke stok atau membatalkannya",
    ),
    (
        "replacements_dropped",
        "{count} replacement(s) waiting for stock are no longer needed",
        "{count} pengganti yang menunggu stok tidak diperlukan lagi",
    ),
    (
        "reopened",
        "Shopee reported it {status:status} again after the cancellation",
        "Shopee melaporkannya {status:status} lagi setelah pembatalan",
    ),
    (
        "items_given_back",
        "{count} item(s) held since the cancellation were given back to the order; nothing new was allocated",
        "{count} barang yang ditahan sejak pembatalan dikembalikan ke pesanan; tidak ada barang baru yang dialokasikan",
    ),
    (
        "delivery_resumed",
        "the delivery the cancellation stopped goes out again as it was",
        "pengiriman yang terhenti karena pembatalan dikirim lagi seperti semula",
    ),
    (
        "reopened_items_gone",
        "Shopee reports it {status:status} again; some of its items were returned to stock or voided: deliver again or mark delivered",
        "Shopee melaporkannya {status:status} lagi; sebagian barangnya sudah dikembalikan ke stok atau dibatalkan: kirim lagi atau tandai terkirim",
    ),
    (
        "stale_report_ignored",
        "a report of {status:status} from {reported_at} is not newer than the cancellation ({cancelled_at}): ignored, the order stays cancelled",
        "laporan {status:status} dari {reported_at} tidak lebih baru dari pembatalannya ({cancelled_at}): diabaikan, pesanan tetap dibatalkan",
    ),
    (
        "stale_leave_ignored",
        "a report of {status:status} from {reported_at} is not newer than Shopee's latest word the order took ({known_at}): ignored, the order stays {stays:status}",
        "laporan {status:status} dari {reported_at} tidak lebih baru dari kabar Shopee terakhir yang diterima pesanan ini ({known_at}): diabaikan, pesanan tetap {stays:status}",
    ),
    (
        "key_replaced",
        "item {old} marked bad ({reason}); replaced by {new}",
        "barang {old} ditandai rusak ({reason}); diganti dengan {new}",
    ),
    (
        "replacement_waiting",
        "item {old} marked bad ({reason}); its replacement waits for stock of '{product}'",
        "barang {old} ditandai rusak ({reason}); penggantinya menunggu stok '{product}'",
    ),
    (
        "replacement_confirmed",
        "replacement confirmed in chat",
        "pengganti dikonfirmasi di chat",
    ),
    (
        "item_back_to_stock",
        "item {item} put back in stock",
        "barang {item} dikembalikan ke stok",
    ),
    (
        "item_voided",
        "item {item} voided[ ({reason})]: never sold again",
        "barang {item} dibatalkan[ ({reason})]: tidak akan dijual lagi",
    ),
];

/// The key of a code's words: the code, or for a chat refusal the refusal Shopee gave (as
/// `shopee::chat::refusal_words` reads it).
pub fn key_of(code: &str, param: &dyn Fn(&str) -> Option<String>) -> String {
    if code != "chat_refused" {
        return code.to_string();
    }
    let refusal = param("refusal").unwrap_or_default().to_ascii_lowercase();
    let variant = if refusal == "first_chat_without_order_info" || refusal == "user_is_forbidden" {
        refusal.as_str()
    } else if refusal.contains("5_message") {
        "five_messages"
    } else if refusal == "message_too_long" {
        "message_too_long"
    } else if refusal.contains("block") {
        "blocked"
    } else {
        return code.to_string();
    };
    format!("{code}.{variant}")
}

/// The words of a code with its parameters, in Indonesian or English; None when the code is
/// not one this table knows or a parameter its words need is missing (the caller then shows
/// the engine's English words).
pub fn words(
    code: &str,
    indonesian: bool,
    param: &dyn Fn(&str) -> Option<String>,
    word: &dyn Fn(&str, &str) -> String,
) -> Option<String> {
    let key = key_of(code, param);
    let (_, en, id) = NOTES.iter().find(|(k, _, _)| *k == key)?;
    fill(if indonesian { id } else { en }, param, word)
}

/// Fills a template (see `NOTES`).
pub fn fill(
    template: &str,
    param: &dyn Fn(&str) -> Option<String>,
    word: &dyn Fn(&str, &str) -> String,
) -> Option<String> {
    if !well_formed(template) {
        return None;
    }
    let chars: Vec<char> = template.chars().collect();
    let mut at = 0;
    run(&chars, &mut at, param, word, false)
}

/// Every `[` closed by a `]`, every `{` by a `}` with no bracket inside: a broken template shows
/// nothing rather than half of it.
fn well_formed(template: &str) -> bool {
    let mut depth = 0usize;
    let mut in_param = false;
    for c in template.chars() {
        match (c, in_param) {
            ('{', false) => in_param = true,
            ('}', true) => in_param = false,
            ('[', false) => depth += 1,
            (']', false) if depth > 0 => depth -= 1,
            ('{' | '[' | ']', true) | (']' | '}', false) => return false,
            _ => {}
        }
    }
    depth == 0 && !in_param
}

/// A template from `at` to its end, or to the `]` that closes an optional part. None when a
/// parameter it needs is missing (in an optional part, also when it is empty); the optional
/// part is consumed either way.
fn run(
    chars: &[char],
    at: &mut usize,
    param: &dyn Fn(&str) -> Option<String>,
    word: &dyn Fn(&str, &str) -> String,
    optional: bool,
) -> Option<String> {
    let mut out = String::new();
    let mut complete = true;
    while let Some(&c) = chars.get(*at) {
        *at += 1;
        match c {
            ']' if optional => return complete.then_some(out),
            '[' => {
                if let Some(part) = run(chars, at, param, word, true) {
                    out.push_str(&part);
                }
            }
            '{' => {
                let len = chars[*at..].iter().position(|&c| c == '}')?;
                let spec: String = chars[*at..*at + len].iter().collect();
                *at += len + 1;
                let (name, kind) = match spec.split_once(':') {
                    Some((name, kind)) => (name, Some(kind)),
                    None => (spec.as_str(), None),
                };
                match param(name).filter(|v| !(optional && v.is_empty())) {
                    Some(v) => match kind {
                        Some(kind) => out.push_str(&word(kind, &v)),
                        None => out.push_str(&v),
                    },
                    None => complete = false,
                }
            }
            c => out.push(c),
        }
    }
    (complete && !optional).then_some(out)
}
