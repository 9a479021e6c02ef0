//! Every word the UI shows, in English and Bahasa Indonesia: one table per language. The
//! choice is remembered in this browser.

mod en;
mod id;
pub mod notes;

use dioxus::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Id,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    pub fn from_code(code: &str) -> Lang {
        if code == "id" {
            Lang::Id
        } else {
            Lang::En
        }
    }
}

pub static LANG: GlobalSignal<Lang> = Signal::global(|| Lang::En);

const KEY: &str = "auto.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Picks the remembered language, else the browser's (Indonesian if it prefers it).
pub fn load() {
    let saved = storage().and_then(|s| s.get_item(KEY).ok().flatten());
    let lang = match saved {
        Some(code) => Lang::from_code(&code),
        None => {
            let nav = web_sys::window()
                .and_then(|w| w.navigator().language())
                .unwrap_or_default();
            Lang::from_code(if nav.starts_with("id") { "id" } else { "en" })
        }
    };
    *LANG.write() = lang;
}

/// Switches the language and remembers it.
pub fn set(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, lang.code());
    }
    *LANG.write() = lang;
}

fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    let table = match lang {
        Lang::En => en::TABLE,
        Lang::Id => id::TABLE,
    };
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The words for `key` in the current language (English when a translation is missing).
pub fn t(key: &str) -> &'static str {
    let lang = *LANG.read();
    lookup(lang, key)
        .or_else(|| lookup(Lang::En, key))
        .unwrap_or_else(|| {
            web_sys::console::warn_1(&format!("no text for {key}").into());
            "?"
        })
}

/// The words for `key`, or `fallback` as given (texts that come from the engine).
pub fn t_or(key: &str, fallback: &str) -> String {
    let lang = *LANG.read();
    lookup(lang, key)
        .or_else(|| lookup(Lang::En, key))
        .map(str::to_string)
        .unwrap_or_else(|| fallback.to_string())
}

pub(crate) type Table = &'static [(&'static str, &'static str)];

/// The words for a value of a kind of thing, e.g. `tk("status", "paid")`.
pub fn tk(kind: &str, value: &str) -> &'static str {
    t(&format!("{kind}.{value}"))
}

/// Like `tk`, with the value itself when there are no words for it.
pub fn tk_or(kind: &str, value: &str) -> String {
    t_or(&format!("{kind}.{value}"), value)
}
