//! The assistant's LLM client against a mock OpenAI-compatible server: what it sends, how it
//! retries, waits and gives up, and that the API key never leaks into an error.

use crate::support;

use std::time::{Duration, Instant};

use auto_engine::assistant::llm::{ChatMessage, LlmClient, LlmConfig, LlmError, Role};
use support::llm_mock::{MockLlm, MockMode};

const KEY: &str = "sk-test-7f3a9c1e5b2d4f60";

fn config(mock: &MockLlm) -> LlmConfig {
    LlmConfig {
        base_url: mock.base_url.clone(),
        model: "qwen2.5:3b-instruct".into(),
        api_key: None,
        timeout: Duration::from_secs(5),
        max_retries: 2,
        max_in_flight: 4,
        max_tokens: 300,
    }
}

fn client(config: LlmConfig) -> LlmClient {
    LlmClient::new(config).expect("valid LLM config")
}

fn question(text: &str) -> Vec<ChatMessage> {
    vec![
        ChatMessage::new(Role::System, "You are the support of Toko Digital Jaya."),
        ChatMessage::new(Role::User, text),
    ]
}

#[tokio::test]
async fn an_indonesian_question_gets_an_indonesian_answer() {
    let mock = MockLlm::start(MockMode::Ok);
    let reply = client(config(&mock))
        .complete(&question("kak, kapan kodenya dikirim?"))
        .await
        .expect("a reply");
    assert!(reply.starts_with("Halo kak!"), "{reply}");
    assert!(reply.contains("Kode dikirim otomatis"), "{reply}");

    let english = client(config(&mock))
        .complete(&question("When will my code be sent?"))
        .await
        .expect("a reply");
    assert!(english.starts_with("Hi!"), "{english}");
}

#[tokio::test]
async fn the_request_follows_the_chat_completions_protocol() {
    let mock = MockLlm::start(MockMode::Reply("Siap kak".into()));
    // A trailing slash on the base URL must not produce `//chat/completions`.
    let mut cfg = config(&mock);
    cfg.base_url.push('/');
    cfg.max_tokens = 123;
    let reply = client(cfg).complete(&question("harga berapa?")).await;
    assert_eq!(reply.expect("a reply"), "Siap kak");

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let body = &requests[0];
    assert_eq!(body["model"], "qwen2.5:3b-instruct");
    assert_eq!(body["max_tokens"], 123);
    let temperature = body["temperature"].as_f64().expect("temperature");
    assert!((temperature - 0.2).abs() < 1e-6, "{temperature}");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["messages"][1]["content"], "harga berapa?");
}

#[tokio::test]
async fn the_bearer_header_is_sent_only_when_a_key_is_set() {
    let mock = MockLlm::start(MockMode::Ok);
    client(config(&mock))
        .complete(&question("hi"))
        .await
        .expect("without key");
    let mut blank = config(&mock);
    blank.api_key = Some("  ".into());
    client(blank)
        .complete(&question("hi"))
        .await
        .expect("blank key");
    let mut keyed = config(&mock);
    keyed.api_key = Some(KEY.into());
    client(keyed)
        .complete(&question("hi"))
        .await
        .expect("with key");

    let expected = [None, None, Some(format!("Bearer {KEY}"))];
    assert_eq!(mock.auth_headers(), expected);
}

#[tokio::test]
async fn a_failing_server_is_tried_max_retries_plus_one_times_then_reported() {
    let mock = MockLlm::start(MockMode::Fail500);
    let err = client(config(&mock))
        .complete(&question("hi"))
        .await
        .expect_err("the server always fails");
    assert!(
        matches!(&err, LlmError::Http { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("mock: the model crashed"), "{err}");
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn transient_failures_are_retried_until_success() {
    let mock = MockLlm::start(MockMode::FailTimes(2));
    let reply = client(config(&mock))
        .complete(&question("kapan dikirim gan?"))
        .await
        .expect("third attempt succeeds");
    assert!(reply.starts_with("Halo kak!"), "{reply}");
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let mock = MockLlm::start(MockMode::Unauthorized);
    let mut cfg = config(&mock);
    cfg.api_key = Some(KEY.into());
    let err = client(cfg)
        .complete(&question("hi"))
        .await
        .expect_err("401");
    assert!(
        matches!(&err, LlmError::Http { status: 401, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Incorrect API key"), "{err}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_waits_for_retry_after() {
    let mock = MockLlm::start(MockMode::Fail429);
    let mut cfg = config(&mock);
    cfg.max_retries = 1;
    let started = Instant::now();
    let err = client(cfg)
        .complete(&question("hi"))
        .await
        .expect_err("429");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, LlmError::Http { status: 429, .. }),
        "{err:?}"
    );
    assert_eq!(mock.requests().len(), 2);
    // The plain backoff would have waited ~250 ms; the server asked for 1 s.
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn a_stalled_server_times_out_quickly() {
    let mock = MockLlm::start(MockMode::Stall(Duration::from_secs(5)));
    let mut cfg = config(&mock);
    cfg.timeout = Duration::from_millis(300);
    cfg.max_retries = 1;
    let started = Instant::now();
    let err = client(cfg)
        .complete(&question("hi"))
        .await
        .expect_err("stall");
    let elapsed = started.elapsed();
    assert!(matches!(err, LlmError::Timeout), "{err:?}");
    assert_eq!(mock.requests().len(), 2);
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_non_json_answer_is_garbage() {
    let mock = MockLlm::start(MockMode::Garbage);
    let err = client(config(&mock))
        .complete(&question("hi"))
        .await
        .expect_err("garbage");
    assert!(matches!(&err, LlmError::Garbage(_)), "{err:?}");
    assert!(err.to_string().contains("Proxy debug"), "{err}");
    assert_eq!(mock.requests().len(), 1, "garbage is not retried");
}

#[tokio::test]
async fn an_empty_answer_is_empty() {
    let mock = MockLlm::start(MockMode::Empty);
    let err = client(config(&mock))
        .complete(&question("hi"))
        .await
        .expect_err("empty");
    assert!(matches!(err, LlmError::Empty), "{err:?}");

    mock.set_mode(MockMode::Reply(" \n\t ".into()));
    let err = client(config(&mock))
        .complete(&question("hi"))
        .await
        .expect_err("whitespace only");
    assert!(matches!(err, LlmError::Empty), "{err:?}");
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let mock = MockLlm::start(MockMode::Stall(Duration::from_millis(200)));
    let mut cfg = config(&mock);
    cfg.max_in_flight = 2;
    let llm = client(cfg);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let llm = llm.clone();
            tokio::spawn(async move {
                llm.complete(&question(&format!("kapan kode {i} dikirim?")))
                    .await
            })
        })
        .collect();
    for task in tasks {
        let reply = task.await.expect("task").expect("every request succeeds");
        assert!(reply.contains("Kode dikirim otomatis"), "{reply}");
    }
    assert_eq!(mock.requests().len(), 10);
    assert_eq!(mock.max_concurrent(), 2);
}

#[tokio::test]
async fn an_unreachable_server_is_reported_as_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let llm = client(LlmConfig {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        model: "m".into(),
        max_retries: 1,
        ..LlmConfig::default()
    });
    let err = llm
        .complete(&question("hi"))
        .await
        .expect_err("nobody listens");
    assert!(matches!(&err, LlmError::Unreachable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_api_key_never_appears_in_an_error() {
    let mock = MockLlm::start(MockMode::Unauthorized);
    let mut cfg = config(&mock);
    cfg.api_key = Some(KEY.into());
    cfg.timeout = Duration::from_millis(300);
    cfg.max_retries = 0;
    let llm = client(cfg.clone());
    let mut errors = Vec::new();
    // The mock echoes the key back in these two, as some providers and proxies do.
    for mode in [
        MockMode::Unauthorized,
        MockMode::Garbage,
        MockMode::Fail500,
        MockMode::Stall(Duration::from_secs(2)),
    ] {
        mock.set_mode(mode);
        errors.push(llm.complete(&question("hi")).await.expect_err("fails"));
    }
    cfg.base_url = "http://127.0.0.1:9/v1".into();
    errors.push(
        client(cfg)
            .complete(&question("hi"))
            .await
            .expect_err("fails"),
    );

    assert!(
        mock.auth_headers()
            .iter()
            .all(|h| h.as_deref() == Some(&format!("Bearer {KEY}"))),
        "the key was sent, so the echo tests mean something"
    );
    for err in &errors {
        let shown = format!("{err} / {err:?}");
        assert!(!shown.contains(KEY), "the key leaked: {shown}");
        assert!(
            !shown.contains("7f3a9c1e"),
            "part of the key leaked: {shown}"
        );
    }
    assert!(
        errors[1].to_string().contains("<redacted>"),
        "{}",
        errors[1]
    );
}
