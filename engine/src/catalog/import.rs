//! Parsing stock imports: pasted text / TXT (one item per line), CSV, or JSON items.
//! Parsing only reads; nothing is stored here, so a file that cannot be read leaves no trace.

use super::products::Kind;
use super::stock::LineIssue;
use crate::{Error, Result};
use serde::Deserialize;
use utoipa::ToSchema;

/// Most items one import may carry.
pub const MAX_ITEMS: usize = 100_000;
const MAX_SECRET_CHARS: usize = 1000;

/// What the seller sent.
pub enum StockInput {
    /// Pasted text or a TXT file: one item per line (accounts: `user:password` or `user|password|notes`).
    Text(String),
    /// A CSV file (keys: one column, optional header `code`; accounts: `username,password,notes`).
    Csv(String),
    /// JSON items.
    Items(Vec<StockItemInput>),
}

/// One JSON item: a code, or an account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StockItemInput {
    Code(String),
    Account {
        username: String,
        password: String,
        #[serde(default)]
        notes: Option<String>,
    },
}

/// A parsed stock item, as it will be encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockSecret {
    Code(String),
    Account {
        username: String,
        password: String,
        notes: String,
    },
}

impl StockSecret {
    /// The plaintext that gets sealed.
    pub fn to_plain(&self) -> String {
        match self {
            StockSecret::Code(c) => c.clone(),
            StockSecret::Account {
                username,
                password,
                notes,
            } => serde_json::json!({"username": username, "password": password, "notes": notes})
                .to_string(),
        }
    }

    /// Reads back what `to_plain` wrote for a product of `kind`.
    pub fn from_plain(kind: Kind, plain: &str) -> StockSecret {
        if kind == Kind::Account {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(plain) {
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                return StockSecret::Account {
                    username: s("username"),
                    password: s("password"),
                    notes: s("notes"),
                };
            }
        }
        StockSecret::Code(plain.to_string())
    }

    /// What makes two items the same: the code itself (across all products), or an account's
    /// username within one product.
    pub fn identity(&self, product_id: i64) -> String {
        match self {
            StockSecret::Code(c) => format!("code\0{c}"),
            StockSecret::Account { username, .. } => {
                format!("account\0{product_id}\0{}", username.to_lowercase())
            }
        }
    }
}

/// An item with its 1-based line (or item) number in the import.
pub type NumberedItem = (usize, StockSecret);

/// Parses an import for a product of `kind` into items (with their 1-based line or item
/// numbers) and the rows that were rejected, with why.
pub fn parse_stock(kind: Kind, input: StockInput) -> Result<(Vec<NumberedItem>, Vec<LineIssue>)> {
    let mut items = Vec::new();
    let mut rejected = Vec::new();
    let mut push = |line: usize, parsed: std::result::Result<StockSecret, String>| match parsed {
        Ok(s) => items.push((line, s)),
        Err(reason) => rejected.push(LineIssue {
            line: line as u64,
            reason,
        }),
    };
    match input {
        StockInput::Text(text) => {
            for (i, raw) in text.lines().enumerate() {
                let raw = raw.trim_start_matches('\u{feff}');
                if raw.trim().is_empty() {
                    continue;
                }
                push(i + 1, parse_line(kind, raw));
            }
        }
        StockInput::Items(list) => {
            for (i, item) in list.into_iter().enumerate() {
                let parsed = match (kind, item) {
                    (
                        Kind::Account,
                        StockItemInput::Account {
                            username,
                            password,
                            notes,
                        },
                    ) => account(&username, &password, notes.as_deref().unwrap_or("")),
                    (Kind::Account, StockItemInput::Code(line)) => parse_line(kind, &line),
                    (_, StockItemInput::Code(code)) => code_item(&code),
                    (_, StockItemInput::Account { .. }) => {
                        Err("this product takes codes, not accounts".into())
                    }
                };
                push(i + 1, parsed);
            }
        }
        StockInput::Csv(text) => parse_csv(kind, &text, &mut push)?,
    }
    if items.len() + rejected.len() > MAX_ITEMS {
        return Err(Error::invalid(format!(
            "one import takes at most {MAX_ITEMS} items; split the file"
        )));
    }
    Ok((items, rejected))
}

fn parse_line(kind: Kind, raw: &str) -> std::result::Result<StockSecret, String> {
    if kind != Kind::Account {
        return code_item(raw);
    }
    let parts: Vec<&str> = if raw.contains('\t') {
        raw.split('\t').collect()
    } else if raw.contains('|') {
        raw.split('|').collect()
    } else {
        raw.splitn(2, ':').collect()
    };
    match parts.as_slice() {
        [user, pass] => account(user, pass, ""),
        [user, pass, notes @ ..] => account(user, pass, &notes.join(" ")),
        _ => Err("an account line needs a username and a password (user:password or user|password|notes)".into()),
    }
}

fn check_secret(field: &str, value: &str) -> std::result::Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("{field} is empty"));
    }
    if v.chars().count() > MAX_SECRET_CHARS {
        return Err(format!(
            "{field} is longer than {MAX_SECRET_CHARS} characters"
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(format!(
            "{field} contains a line break or control character"
        ));
    }
    Ok(v.to_string())
}

fn code_item(raw: &str) -> std::result::Result<StockSecret, String> {
    check_secret("code", raw).map(StockSecret::Code)
}

fn account(user: &str, pass: &str, notes: &str) -> std::result::Result<StockSecret, String> {
    let notes = notes.trim();
    if notes.chars().any(|c| c.is_control()) {
        return Err("notes contain a line break or control character".into());
    }
    Ok(StockSecret::Account {
        username: check_secret("username", user)?,
        password: check_secret("password", pass)?,
        notes: notes.to_string(),
    })
}

const CODE_HEADERS: &[&str] = &[
    "code",
    "key",
    "kode",
    "voucher",
    "serial",
    "license",
    "license_key",
    "mã",
    "ma",
];
const USER_HEADERS: &[&str] = &["username", "user", "email", "login", "akun", "tài khoản"];
const PASS_HEADERS: &[&str] = &["password", "pass", "pwd", "kata sandi", "sandi", "mật khẩu"];
const NOTE_HEADERS: &[&str] = &["notes", "note", "catatan", "ghi chú"];

fn parse_csv(
    kind: Kind,
    text: &str,
    push: &mut impl FnMut(usize, std::result::Result<StockSecret, String>),
) -> Result<()> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let first = match records.next() {
        None => return Ok(()),
        Some(r) => r.map_err(|e| Error::invalid(format!("the CSV file cannot be read: {e}")))?,
    };
    let lower: Vec<String> = first.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |names: &[&str]| lower.iter().position(|h| names.contains(&h.as_str()));
    let (has_header, cols) = if kind == Kind::Account {
        match (find(USER_HEADERS), find(PASS_HEADERS)) {
            (Some(u), Some(p)) => (true, (u, Some(p), find(NOTE_HEADERS))),
            _ => (false, (0, Some(1), Some(2))),
        }
    } else {
        match find(CODE_HEADERS) {
            Some(c) => (true, (c, None, None)),
            None => (false, (0, None, None)),
        }
    };
    let parse_row = |rec: &csv::StringRecord| -> Option<std::result::Result<StockSecret, String>> {
        if rec.iter().all(|f| f.trim().is_empty()) {
            return None;
        }
        let (c0, c1, c2) = cols;
        let parsed = match c1 {
            None => match rec.get(c0) {
                Some(code) => code_item(code),
                None => Err("the row has no code column".into()),
            },
            Some(p) => match (rec.get(c0), rec.get(p)) {
                (Some(u), Some(pw)) => account(u, pw, c2.and_then(|n| rec.get(n)).unwrap_or("")),
                _ => Err(format!(
                    "expected username and password columns, found {} column(s)",
                    rec.len()
                )),
            },
        };
        Some(parsed)
    };
    // Every row must have the first row's columns: an unquoted comma inside a password would
    // otherwise shift the columns and deliver a wrong password.
    let width = first.len();
    let wrong_width = |rec: &csv::StringRecord| {
        Err(format!(
            "{} columns where {width} were expected (put a value containing a comma in double quotes)",
            rec.len()
        ))
    };
    if !has_header {
        if let Some(parsed) = parse_row(&first) {
            push(1, parsed);
        }
    }
    for record in records {
        match record {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                if rec.len() != width && !rec.iter().all(|f| f.trim().is_empty()) {
                    push(line, wrong_width(&rec));
                } else if let Some(parsed) = parse_row(&rec) {
                    push(line, parsed);
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                push(
                    line,
                    Err(format!("unreadable CSV row: {}", e.kind_summary())),
                );
            }
        }
    }
    Ok(())
}

trait KindSummary {
    fn kind_summary(&self) -> String;
}
impl KindSummary for csv::Error {
    // The csv error's Display can quote the row, which may hold a secret.
    fn kind_summary(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("{len} columns where {expected_len} were expected")
            }
            _ => "malformed".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(items: &[(usize, StockSecret)]) -> Vec<String> {
        items.iter().map(|(_, s)| s.to_plain()).collect()
    }

    #[test]
    fn text_import_skips_blank_lines_and_trims() {
        let (items, rejected) = parse_stock(
            Kind::LicenseKey,
            StockInput::Text("A-1\n\n  B-2  \r\nC-3".into()),
        )
        .unwrap();
        assert_eq!(codes(&items), ["A-1", "B-2", "C-3"]);
        assert_eq!(items[2].0, 4);
        assert!(rejected.is_empty());
    }

    #[test]
    fn csv_keys_with_header_and_accounts_with_columns() {
        let (items, _) = parse_stock(
            Kind::Voucher,
            StockInput::Csv("kode,expires\nSTEAM-1,2027\nSTEAM-2,2027\n".into()),
        )
        .unwrap();
        assert_eq!(codes(&items), ["STEAM-1", "STEAM-2"]);
        let csv =
            "username,password,notes\nbudi@mail.id,rahasia,\"profil 1, PIN 1234\"\nsiti@mail.id\nani@mail.id,pass,word,x\n";
        let (items, rejected) = parse_stock(Kind::Account, StockInput::Csv(csv.into())).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].1,
            StockSecret::Account {
                username: "budi@mail.id".into(),
                password: "rahasia".into(),
                notes: "profil 1, PIN 1234".into()
            }
        );
        assert_eq!(
            rejected.len(),
            2,
            "a short row and a row with an unquoted comma"
        );
        assert_eq!(rejected[0].line, 3);
        assert_eq!(rejected[1].line, 4);
    }

    #[test]
    fn account_lines_accept_colon_and_pipe() {
        let (items, rejected) = parse_stock(
            Kind::Account,
            StockInput::Text("a@x.vn:pa:ss\nb@x.vn|pw|ghi chú\nnopassword".into()),
        )
        .unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].1,
            StockSecret::Account {
                username: "a@x.vn".into(),
                password: "pa:ss".into(),
                notes: "".into()
            }
        );
        assert_eq!(rejected[0].line, 3);
    }
}
