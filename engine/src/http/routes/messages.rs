//! Buyer messages in, replies out, and the conversations they make.

use std::time::Duration;

use crate::assistant::conversations::{
    ConversationDetail, ConversationFilter, ConversationPage, Reply, ReplyFilter,
};
use crate::assistant::llm::LlmError;
use crate::assistant::{MessageInput, MessageOutcome, Received};
use crate::auth::Scope;
use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::{Admin, Extension};
use crate::http::App;
use auto_api::{ApproveRequest, ReplyList, SellerReply};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;

/// The longest a buyer's message waits for the model's draft (all retries included); after
/// that it waits for the seller instead.
const DRAFT_DEADLINE: Duration = Duration::from_secs(45);

/// A buyer's message: answered from the FAQ when the assistant is sure, drafted by the language
/// model when it is not (if one is set up), otherwise left for the seller. The message is
/// recorded before the model is asked, so nothing is lost if that fails. The same Shopee
/// `message_id` sent again returns the first outcome.
#[utoipa::path(post, path = "/api/v1/messages", tag = "assistant", security(("bearer" = [])),
    request_body = MessageInput, responses((status = 200, body = MessageOutcome),
        (status = 422, description = "a field is not valid")))]
pub async fn receive(
    State(app): State<App>,
    _: Extension,
    ApiJson(input): ApiJson<MessageInput>,
) -> Result<Json<MessageOutcome>, ApiError> {
    let received = app.run(move |e| e.receive_message(input)).await?;
    let outcome = match received {
        Received::Done(outcome) => outcome,
        Received::NeedsDraft(job) => {
            let result = tokio::time::timeout(DRAFT_DEADLINE, job.client.complete(&job.prompt))
                .await
                .unwrap_or(Err(LlmError::Timeout));
            app.run(move |e| e.finish_draft(*job, result)).await?
        }
    };
    Ok(Json(outcome))
}

/// Replies to post in Shopee chat (`status=pending`, the default; leased like deliveries), or
/// drafts waiting for the seller (`status=draft`, admin only).
#[utoipa::path(get, path = "/api/v1/replies", tag = "assistant", security(("bearer" = [])), params(ReplyFilter),
    responses((status = 200, body = ReplyList)))]
pub async fn list_replies(
    State(app): State<App>,
    caller: Extension,
    filter: Result<Query<ReplyFilter>, QueryRejection>,
) -> Result<Json<ReplyList>, ApiError> {
    let Query(filter) = filter?;
    if filter.status.as_deref() == Some("draft") {
        caller.0.require(Scope::Admin)?;
    }
    let replies = app.run(move |e| e.fetch_replies(&filter)).await?;
    Ok(Json(ReplyList { replies }))
}

/// Confirms a reply was posted; repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/replies/{id}/confirm", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Reply), (status = 404), (status = 409)))]
pub async fn confirm_reply(
    State(app): State<App>,
    _: Extension,
    Path(id): Path<i64>,
) -> Result<Json<Reply>, ApiError> {
    Ok(Json(app.run(move |e| e.confirm_reply(id)).await?))
}

/// The seller approves a draft (optionally edited); it goes to the outbox.
#[utoipa::path(post, path = "/api/v1/replies/{id}/approve", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ApproveRequest,
    responses((status = 200, body = Reply), (status = 404), (status = 409, description = "not a draft")))]
pub async fn approve_reply(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<Reply>, ApiError> {
    // The body is optional: no body approves the draft as it is.
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
        crate::http::error::from_value::<ApproveRequest>(value)?.text
    };
    Ok(Json(
        app.run(move |e| e.approve_reply(id, text.as_deref()))
            .await?,
    ))
}

/// The seller throws a draft (or an unsent reply) away; its question waits for them again.
#[utoipa::path(post, path = "/api/v1/replies/{id}/discard", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Reply), (status = 404), (status = 409)))]
pub async fn discard_reply(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<Reply>, ApiError> {
    Ok(Json(app.run(move |e| e.discard_reply(id)).await?))
}

/// Conversations, newest first; `open=true` for those with a question waiting for the seller.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "assistant", security(("bearer" = [])),
    params(ConversationFilter), responses((status = 200, body = ConversationPage)))]
pub async fn list_conversations(
    State(app): State<App>,
    _: Admin,
    filter: Result<Query<ConversationFilter>, QueryRejection>,
) -> Result<Json<ConversationPage>, ApiError> {
    let Query(filter) = filter?;
    Ok(Json(app.run(move |e| e.list_conversations(&filter)).await?))
}

/// One conversation: its messages (with the assistant's decisions) and replies.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ConversationDetail), (status = 404)))]
pub async fn conversation(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(app.run(move |e| e.conversation(id)).await?))
}

/// The seller answers in a conversation; the reply goes to the outbox and every open question
/// there counts as answered.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/reply", tag = "assistant", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SellerReply, responses((status = 200, body = Reply), (status = 404)))]
pub async fn seller_reply(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SellerReply>,
) -> Result<Json<Reply>, ApiError> {
    Ok(Json(
        app.run(move |e| e.seller_reply(id, &body.text)).await?,
    ))
}
