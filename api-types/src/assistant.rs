//! The assistant's state and settings: search status, embedding models, the language model
//! endpoint, and the AI settings one level sets.

use crate::faq::SearchMode;
use serde::{Deserialize, Serialize};

/// What the health report and the UI show about the assistant's search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnowledgeStatus {
    pub mode: SearchMode,
    pub model: String,
    /// Whether the model is in memory now (it is let go while no buyer asks for a while).
    pub model_loaded: bool,
    /// Why there is no model, when there is none.
    pub model_error: Option<String>,
    /// Live variants, and how many of them are in the vector index.
    pub variants: u64,
    pub indexed: u64,
    /// True while variants wait to be embedded (an import, a model change, a rebuild).
    pub indexing: bool,
}

/// An embedding model the seller can choose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelChoice {
    pub name: String,
    /// What it is good at and what it needs.
    pub about: String,
}

/// What the API shows of the language model endpoint: never the key, only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LlmView {
    pub configured: bool,
    pub base_url: String,
    pub model: String,
    pub timeout_secs: u64,
    pub api_key_set: bool,
}

/// `PUT /settings/llm`: the endpoint and, optionally, its key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LlmRequest {
    /// An OpenAI-compatible base URL; empty turns the model off.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// The API key, stored encrypted. Left out: the stored key stays; "": it is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

/// `PUT /assistant/model`: the embedding model to switch to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ModelRequest {
    pub model: String,
}

/// How many vertices of each type and how many edges the memory graph holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GraphStats {
    pub customers: u64,
    pub orders: u64,
    pub products: u64,
    pub faqs: u64,
    pub conversations: u64,
    pub questions: u64,
    pub edges: u64,
}

/// `GET /assistant/status`: the assistant's state for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistantStatus {
    pub search: KnowledgeStatus,
    pub graph: GraphStats,
    pub llm: LlmView,
    /// The models a seller can choose, with what each needs.
    pub models: Vec<ModelChoice>,
}

/// The AI settings one level (store, product, customer) sets; absent (null) ones fall through
/// to the next level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AiSettings {
    /// Send confident FAQ answers without asking the seller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_reply: Option<bool>,
    /// Confidence (0–1) an FAQ match needs to be sent automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// Ask the language model for a draft when the FAQ is not sure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<bool>,
    /// Send the model's drafts without the seller's approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm_auto_send: Option<bool>,
    /// Extra instructions for the model (tone, what to say about the shop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// "auto" answers in the buyer's language; or a code such as "id", "en", "vi".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_language: Option<String>,
}
