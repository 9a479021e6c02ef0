//! The engine's integration tests, one module per subject, in one test binary: the shared
//! helpers (`support`) and the engine are compiled and linked once instead of once per file.
//! Most of them talk to the `auto` binary over real loopback HTTP (see `support`); a few
//! (access, durability, migrations, after_sale_roads, order_lifecycle) open the engine in
//! process. `cargo test -p auto-engine --test engine <module>::` runs one subject.

mod support;

mod access;
mod after_sale;
mod after_sale_roads;
mod api_bad_input;
mod api_types;
mod assistant_faq;
mod assistant_messages;
mod auth_pairing;
mod cli;
mod delivery_crash;
mod delivery_exactly_once;
mod delivery_parts;
mod durability;
mod extension_health;
mod llm_client;
mod migrations;
mod note_words;
mod order_lifecycle;
mod order_names;
mod orders_idempotent;
mod orders_unknown_status;
mod reply_parts;
mod shopee_api;
mod shopee_mock_rules;
mod stale_reports;
mod stock_import;
mod stock_view;
mod ui_api;
