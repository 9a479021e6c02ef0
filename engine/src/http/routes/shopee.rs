//! The Shopee Open Platform road: the app's credentials, connecting shops, syncing now, and
//! the page Shopee's authorization sends the seller back to.

use crate::http::error::{ApiError, ApiJson};
use crate::http::guard::Admin;
use crate::http::App;
use crate::shopee::{auth, store, sync};
use auto_api::{AppInput, AuthorizeLink, ShopeeApp, ShopeeShopList, ShopeeShopOut, SyncReport};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Sets the Open Platform app's credentials.
#[utoipa::path(put, path = "/api/v1/shopee/app", tag = "shopee", security(("bearer" = [])), request_body = AppInput,
    responses((status = 200, body = ShopeeApp), (status = 422)))]
pub async fn put_app(
    State(app): State<App>,
    _: Admin,
    ApiJson(input): ApiJson<AppInput>,
) -> Result<Json<ShopeeApp>, ApiError> {
    let view = app
        .run(move |e| auth::set_app(e, input.partner_id, &input.partner_key, &input.base_url))
        .await?;
    Ok(Json(view))
}

/// The app's credentials, without the key.
#[utoipa::path(get, path = "/api/v1/shopee/app", tag = "shopee", security(("bearer" = [])),
    responses((status = 200, body = ShopeeApp)))]
pub async fn get_app(State(app): State<App>, _: Admin) -> Result<Json<ShopeeApp>, ApiError> {
    Ok(Json(app.run(|e| e.db.read(store::app_view)).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeQuery {
    /// Where Shopee sends the seller back; default AUTO's own `/shopee/callback`.
    pub redirect: Option<String>,
}

/// The link that authorizes a shop for the app (open it in a browser, log in as the shop).
#[utoipa::path(get, path = "/api/v1/shopee/authorize", tag = "shopee", security(("bearer" = [])), params(AuthorizeQuery),
    responses((status = 200, body = AuthorizeLink), (status = 409)))]
pub async fn authorize(
    State(app): State<App>,
    _: Admin,
    headers: HeaderMap,
    query: Result<Query<AuthorizeQuery>, QueryRejection>,
) -> Result<Json<AuthorizeLink>, ApiError> {
    let Query(q) = query?;
    // The host guard let only loopback names through, so this is AUTO's own address.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let redirect = q
        .redirect
        .unwrap_or_else(|| format!("http://{host}/shopee/callback"));
    let url = app.run(move |e| auth::authorize_url(e, &redirect)).await?;
    Ok(Json(AuthorizeLink { url }))
}

/// What connects a shop (shared with the UI).
pub use auto_api::ConnectInput;

/// Connects a shop with the code Shopee gave (or the URL the seller landed on).
#[utoipa::path(post, path = "/api/v1/shopee/shops", tag = "shopee", security(("bearer" = [])), request_body = ConnectInput,
    responses((status = 201, body = ShopeeShopOut), (status = 422), (status = 502)))]
pub async fn connect(
    State(app): State<App>,
    _: Admin,
    ApiJson(input): ApiJson<ConnectInput>,
) -> Result<(StatusCode, Json<ShopeeShopOut>), ApiError> {
    let (code, shop_id) = match input {
        ConnectInput::Code { code, shop_id } => {
            let id = match &shop_id {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                _ => String::new(),
            };
            (auth::check_code(&code)?, auth::check_shop_id(&id)?)
        }
        ConnectInput::Url { url } => {
            let l = auth::parse_landing(&url)?;
            (l.code, l.shop_id)
        }
    };
    let shop = auth::connect(app.engine.clone(), code, shop_id).await?;
    app.engine.shopee.wake_poller();
    Ok((StatusCode::CREATED, Json(ShopeeShopOut { shop })))
}

/// The connected shops: token expiry, last sync, orders pulled, last error.
#[utoipa::path(get, path = "/api/v1/shopee/shops", tag = "shopee", security(("bearer" = [])),
    responses((status = 200, body = ShopeeShopList)))]
pub async fn shops(State(app): State<App>, _: Admin) -> Result<Json<ShopeeShopList>, ApiError> {
    let shops = app.run(|e| e.db.read(store::list_shops)).await?;
    Ok(Json(ShopeeShopList { shops }))
}

/// Disconnects a shop (its orders stay).
#[utoipa::path(delete, path = "/api/v1/shopee/shops/{id}", tag = "shopee", security(("bearer" = [])),
    params(("id" = u64, Path)), responses((status = 204), (status = 404)))]
pub async fn disconnect(
    State(app): State<App>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = auth::check_shop_id(&id)?;
    app.run(move |e| e.db.write(|c| store::delete_shop(c, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Syncs every connected shop now and answers when done, with what each sync did.
#[utoipa::path(post, path = "/api/v1/shopee/sync", tag = "shopee", security(("bearer" = [])),
    responses((status = 200, body = SyncReport), (status = 409)))]
pub async fn sync_now(State(app): State<App>, _: Admin) -> Result<Json<SyncReport>, ApiError> {
    Ok(Json(sync::sync_all(app.engine.clone()).await?.report))
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    shop_id: Option<String>,
}

/// Where Shopee's authorization page sends the seller back (a browser, no token: the state
/// AUTO put in the link is what makes it AUTO's own).
pub async fn callback(
    State(app): State<App>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return page(
            StatusCode::BAD_REQUEST,
            "This link is not one AUTO can read. Open the authorization link from AUTO again.",
        );
    };
    let parsed = (|| {
        let code = auth::check_code(q.code.as_deref().unwrap_or(""))?;
        let shop_id = auth::check_shop_id(q.shop_id.as_deref().unwrap_or(""))?;
        Ok::<_, crate::Error>((code, shop_id))
    })();
    let (code, shop_id) = match parsed {
        Ok(p) => p,
        Err(e) => {
            return page(
                StatusCode::BAD_REQUEST,
                &format!("AUTO could not read this authorization: {e}."),
            )
        }
    };
    let state = q.state.unwrap_or_default();
    let known = app
        .run(move |e| e.db.write(|c| store::take_state(c, &state)))
        .await;
    if !matches!(known, Ok(true)) {
        return page(
            StatusCode::BAD_REQUEST,
            "This authorization did not start in this AUTO, or its link is too old. Open Settings → Shopee API → Connect a shop again.",
        );
    }
    match auth::connect(app.engine.clone(), code, shop_id).await {
        Ok(shop) => {
            app.engine.shopee.wake_poller();
            let name = shop
                .name
                .unwrap_or_else(|| format!("shop {}", shop.shop_id));
            page(StatusCode::OK, &format!("{name} is connected to AUTO. You can close this tab; AUTO takes its orders from now on."))
        }
        Err(e) => {
            let e = ApiError::from(e);
            // Shopee's refusal of the code is a bad request of this page, not a form error.
            let status = if e.status == StatusCode::UNPROCESSABLE_ENTITY {
                StatusCode::BAD_REQUEST
            } else {
                e.status
            };
            page(
                status,
                &format!("The shop was not connected: {}", e.message),
            )
        }
    }
}

fn page(status: StatusCode, text: &str) -> Response {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>AUTO · Shopee</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>AUTO</h1><p>{escaped}</p></body></html>"
    );
    (status, Html(html)).into_response()
}
