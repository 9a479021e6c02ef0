//! Talking to the engine: same-origin `fetch` with the session cookie, JSON in and out, and
//! the API's errors turned into plain words.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// What went wrong with a call, in words for the seller.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ApiError {
    fn local(message: impl Into<String>) -> Self {
        ApiError {
            status: 0,
            code: "network".into(),
            message: message.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The page's own origin: the engine that served it.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// An absolute URL for an API path such as `/api/v1/orders`.
pub fn url(path: &str) -> String {
    format!("{}{}", origin(), path)
}

/// A body to send.
pub enum Body {
    None,
    Json(String),
    Text { mime: String, text: String },
    Raw { mime: String, value: JsValue },
}

async fn send(method: &str, path: &str, body: Body) -> ApiResult<Response> {
    let window = web_sys::window().ok_or_else(|| ApiError::local("no window"))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::local("headers"))?;
    let _ = headers.set("Accept", "application/json");
    match body {
        Body::None => {}
        Body::Json(s) => {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&s));
        }
        Body::Text { mime, text } => {
            let _ = headers.set("Content-Type", &mime);
            init.set_body(&JsValue::from_str(&text));
        }
        Body::Raw { mime, value } => {
            let _ = headers.set("Content-Type", &mime);
            init.set_body(&value);
        }
    }
    init.set_headers(&headers);
    let promise = window.fetch_with_str_and_init(&url(path), &init);
    let resp = JsFuture::from(promise)
        .await
        .map_err(|_| ApiError::local("AUTO is not reachable; is it still running?"))?;
    let resp: Response = resp
        .dyn_into()
        .map_err(|_| ApiError::local("unexpected answer"))?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = text_of(&resp).await.unwrap_or_default();
    let parsed: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let code = err
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .unwrap_or("error")
        .to_string();
    let message = err
        .and_then(|e| e.get("message"))
        .and_then(|c| c.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("AUTO answered {status}"));
    if status == 401 {
        crate::session::signed_out();
    }
    Err(ApiError {
        status,
        code,
        message,
    })
}

async fn text_of(resp: &Response) -> ApiResult<String> {
    let p = resp
        .text()
        .map_err(|_| ApiError::local("unreadable answer"))?;
    let v = JsFuture::from(p)
        .await
        .map_err(|_| ApiError::local("unreadable answer"))?;
    Ok(v.as_string().unwrap_or_default())
}

async fn json_of<T: DeserializeOwned>(resp: Response) -> ApiResult<T> {
    let text = text_of(&resp).await?;
    let text = if text.trim().is_empty() {
        "null"
    } else {
        &text
    };
    serde_json::from_str(text).map_err(|e| ApiError::local(format!("unexpected answer: {e}")))
}

/// GET a JSON document.
pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    json_of(send("GET", path, Body::None).await?).await
}

/// POST/PUT/PATCH a JSON body and read the JSON answer.
pub async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> ApiResult<T> {
    let s = serde_json::to_string(body).map_err(|e| ApiError::local(e.to_string()))?;
    json_of(send(method, path, Body::Json(s)).await?).await
}

/// A call whose answer does not matter beyond success (204 and the like).
pub async fn call_empty(method: &str, path: &str, body: Body) -> ApiResult<()> {
    send(method, path, body).await.map(|_| ())
}

/// Sends text (pasted stock, a CSV file) with its type and reads the JSON answer.
pub async fn send_text<T: DeserializeOwned>(path: &str, mime: &str, text: String) -> ApiResult<T> {
    json_of(
        send(
            "POST",
            path,
            Body::Text {
                mime: mime.into(),
                text,
            },
        )
        .await?,
    )
    .await
}

/// Sends a raw body (a file as picked) and reads the JSON answer.
pub async fn send_raw<T: DeserializeOwned>(path: &str, mime: &str, value: JsValue) -> ApiResult<T> {
    json_of(
        send(
            "POST",
            path,
            Body::Raw {
                mime: mime.into(),
                value,
            },
        )
        .await?,
    )
    .await
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// Reads the first file picked in the `<input type=file>` with this id.
pub fn picked_file(input_id: &str) -> Option<web_sys::File> {
    let doc = web_sys::window()?.document()?;
    let input: web_sys::HtmlInputElement = doc.get_element_by_id(input_id)?.dyn_into().ok()?;
    input.files()?.get(0)
}

/// The text of a picked file.
pub async fn file_text(file: &web_sys::File) -> ApiResult<String> {
    let v = JsFuture::from(file.text())
        .await
        .map_err(|_| ApiError::local("the file could not be read"))?;
    Ok(v.as_string().unwrap_or_default())
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}
