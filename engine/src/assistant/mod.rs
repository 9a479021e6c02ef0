//! The assistant: answers buyers from the seller's FAQ on this machine (local embeddings, an
//! HNSW index and full-text search), drafts with a language model when the FAQ is not sure,
//! and otherwise leaves the question to the seller.

pub mod bench;
pub mod conversations;
pub mod embed;
pub mod eval;
pub mod faq;
pub mod faq_io;
pub mod guard;
pub mod index;
pub mod knowledge;
pub mod lang;
pub mod llm;
pub mod model;
pub mod ops;
pub mod policy;
pub mod reply_parts;
pub mod retrieve;
pub mod service;
pub mod settings;
pub mod stopwords;
pub mod words;

pub use service::{Assistant, MessageInput, MessageOutcome, Received};
