//! The Open Platform v2 HTTP client: signs every call at send time, reads Shopee's envelope
//! (`{error, message, request_id, response}`, `error` empty on success) and sorts refusals
//! into what the caller can act on (an expired token, a busy server, a wrong clock, the rest).

use super::sign::{common_query, Signer};
use reqwest::Method;
use serde_json::Value;
use std::time::Duration;

/// Shopee's live host and its test ("sandbox") host.
pub const LIVE_HOST: &str = "https://partner.shopeemobile.com";
pub const TEST_HOST: &str = "https://partner.test-stable.shopeemobile.com";

/// How long one call may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// Shopee refuses a timestamp this far from its own clock (five minutes in its documentation);
/// a skew above a minute is worth telling the seller about when a call is refused.
const SKEW_WORTH_SAYING: i64 = 60;

/// The app's credentials. The key never leaves this struct except into a signature.
#[derive(Clone)]
pub struct Credentials {
    pub partner_id: u64,
    pub partner_key: zeroize::Zeroizing<String>,
    pub base_url: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("partner_id", &self.partner_id)
            .field("partner_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Why a call did not give a result.
#[derive(Debug, Clone)]
pub enum CallError {
    /// Shopee answered with an error code.
    Refused {
        code: String,
        message: String,
        status: u16,
        /// Shopee's clock minus ours, in seconds, from the response's `Date` header.
        skew_secs: Option<i64>,
    },
    /// No answer: connection refused, timed out, cut.
    Transport(String),
    /// An answer that is not Shopee's JSON envelope.
    Unreadable { status: u16, detail: String },
}

impl CallError {
    /// The access token expired or was revoked: refresh it and try again.
    pub fn is_expired_token(&self) -> bool {
        match self {
            CallError::Refused { code, message, .. } => {
                // Shopee spells it `invalid_acceess_token` (sic); SDKs check both spellings.
                code == "invalid_acceess_token"
                    || code == "invalid_access_token"
                    || (code == "error_auth" && message.to_ascii_lowercase().contains("token"))
            }
            _ => false,
        }
    }

    /// Shopee is busy or rate-limits us, or the network failed: wait and try again later.
    pub fn is_busy(&self) -> bool {
        match self {
            CallError::Refused { code, status, .. } => {
                let c = code.to_ascii_lowercase();
                *status == 429
                    || *status >= 500
                    || c.contains("rate_limit")
                    || c.contains("too_many")
                    || c.contains("busy")
                    || c == "error_busi"
                    || c == "error_server"
                    || c == "error_inner"
            }
            CallError::Transport(_) => true,
            CallError::Unreadable { status, .. } => *status >= 500 || *status == 429,
        }
    }

    /// The seller's computer clock is off by this many minutes, when that is why Shopee said no.
    pub fn clock_off_minutes(&self) -> Option<i64> {
        match self {
            CallError::Refused {
                skew_secs: Some(s), ..
            } if s.abs() > SKEW_WORTH_SAYING => Some((s.abs() + 30) / 60),
            _ => None,
        }
    }

    /// Shopee's error code, if it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            CallError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(minutes) = self.clock_off_minutes() {
            return write!(
                f,
                "Shopee refused the request because the computer's clock is {minutes} minutes off; \
                 set the clock right (automatic time) and try again"
            );
        }
        match self {
            CallError::Refused { code, message, .. } if code == "error_sign" => write!(
                f,
                "Shopee refused the signature ({code}: {message}); check the partner id and partner key"
            ),
            CallError::Refused { code, message, .. } => write!(f, "Shopee said {code}: {message}"),
            CallError::Transport(e) => write!(f, "cannot reach Shopee: {e}"),
            CallError::Unreadable { status, detail } => {
                write!(f, "Shopee answered something unreadable (HTTP {status}): {detail}")
            }
        }
    }
}

/// A client for one app's credentials.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub creds: Credentials,
}

impl Client {
    pub fn new(creds: Credentials) -> Result<Client, CallError> {
        let mut builder = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            // The authorization page redirects; API calls never do, and must not follow one
            // (a redirect could carry the signed query elsewhere).
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(&creds.base_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| CallError::Transport(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { http, creds })
    }

    /// The full URL of a signed request (also the authorization link the seller opens).
    pub fn signed_url(&self, path: &str, who: Signer, extra: &[(&str, String)]) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut url = reqwest::Url::parse(&format!(
            "{}{path}",
            self.creds.base_url.trim_end_matches('/')
        ))
        .expect("base URLs are checked when they are saved");
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in common_query(
                self.creds.partner_id,
                &self.creds.partner_key,
                path,
                now,
                who,
            ) {
                q.append_pair(k, &v);
            }
            for (k, v) in extra {
                q.append_pair(k, v);
            }
        }
        url.to_string()
    }

    /// A GET with `query` besides the common signed parameters; the whole envelope back.
    pub async fn get(
        &self,
        path: &str,
        who: Signer<'_>,
        query: &[(&str, String)],
    ) -> Result<Value, CallError> {
        self.call(Method::GET, path, who, query, None).await
    }

    /// A POST of a JSON body; the whole envelope back.
    pub async fn post(&self, path: &str, who: Signer<'_>, body: Value) -> Result<Value, CallError> {
        self.call(Method::POST, path, who, &[], Some(body)).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        who: Signer<'_>,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value, CallError> {
        // Signed at send time: a retried call gets a fresh timestamp and signature.
        let url = self.signed_url(path, who, query);
        let mut req = self.http.request(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let started = std::time::Instant::now();
        let resp = req
            .send()
            .await
            .map_err(|e| CallError::Transport(without_url(e)))?;
        let status = resp.status().as_u16();
        let skew_secs = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.timestamp() - chrono::Utc::now().timestamp());
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CallError::Transport(without_url(e)))?;
        // Paths only: the query holds the signature and the access token.
        tracing::debug!(
            path,
            status,
            ms = started.elapsed().as_millis() as u64,
            "shopee call"
        );
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| CallError::Unreadable {
            status,
            detail: format!(
                "not JSON: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
            ),
        })?;
        let code = value.get("error").and_then(Value::as_str).unwrap_or("");
        if !code.is_empty() || !(200..300).contains(&status) {
            return Err(CallError::Refused {
                code: if code.is_empty() {
                    format!("http_{status}")
                } else {
                    code.to_string()
                },
                message: value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .chars()
                    .take(300)
                    .collect(),
                status,
                skew_secs,
            });
        }
        Ok(value)
    }
}

/// reqwest's errors print the URL, which holds the signature and the access token.
fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    match std::error::Error::source(&e) {
        Some(src) => format!("{kind} ({src})"),
        None => kind.to_string(),
    }
}

fn is_loopback(base_url: &str) -> bool {
    reqwest::Url::parse(base_url).is_ok_and(|u| crate::assistant::llm::is_loopback(&u))
}

/// Checks a base URL as the seller typed it: the presets `live` and `test`, or http(s) with
/// a host and nothing after the path.
pub fn resolve_base_url(input: &str) -> Result<String, String> {
    let t = input.trim();
    match t.to_ascii_lowercase().as_str() {
        "live" => return Ok(LIVE_HOST.into()),
        "test" | "sandbox" => return Ok(TEST_HOST.into()),
        _ => {}
    }
    if t.is_empty() || t.len() > 300 || t.chars().any(char::is_control) {
        return Err("base_url must be \"live\", \"test\" or an http(s) URL".into());
    }
    let url = reqwest::Url::parse(t).map_err(|_| {
        format!("base_url '{t}' is not a URL; use \"live\", \"test\" or http(s)://host")
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "base_url must use http or https, not {}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("base_url needs a host".into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("base_url must not carry a query, fragment or user name".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_presets_or_http() {
        assert_eq!(resolve_base_url("live").unwrap(), LIVE_HOST);
        assert_eq!(resolve_base_url(" TEST ").unwrap(), TEST_HOST);
        assert_eq!(
            resolve_base_url("http://127.0.0.1:9000/").unwrap(),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "",
            "ftp://x",
            "javascript:alert(1)",
            "127.0.0.1:9",
            "http://",
            "http://h/?a=1",
        ] {
            assert!(resolve_base_url(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn refusals_are_sorted_by_what_to_do() {
        let refused = |code: &str, status: u16, skew: Option<i64>| CallError::Refused {
            code: code.into(),
            message: "Invalid access_token.".into(),
            status,
            skew_secs: skew,
        };
        assert!(refused("invalid_acceess_token", 403, None).is_expired_token());
        assert!(refused("error_auth", 403, None).is_expired_token());
        assert!(!refused("error_sign", 403, None).is_expired_token());
        assert!(refused("error_rate_limit", 429, None).is_busy());
        assert!(refused("error_busi", 200, None).is_busy());
        assert!(!refused("error_param", 400, None).is_busy());
        assert!(CallError::Transport("x".into()).is_busy());
        let late = refused("error_param", 403, Some(-7 * 60));
        assert_eq!(late.clock_off_minutes(), Some(7));
        assert!(late.to_string().contains("clock is 7 minutes off"));
        assert_eq!(
            refused("error_param", 403, Some(20)).clock_off_minutes(),
            None
        );
    }

    #[test]
    fn credentials_never_print_the_key() {
        let c = Credentials {
            partner_id: 1,
            partner_key: zeroize::Zeroizing::new("shpk-very-secret".into()),
            base_url: "http://127.0.0.1:1".into(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
