//! Client-side routes: the address bar shows where the seller is, back/forward work, and the
//! engine serves index.html for any of these paths.

use dioxus::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Dashboard,
    Orders,
    Order(i64),
    Products,
    Product(Option<i64>),
    Stock(Option<i64>),
    Faq,
    Conversations(Option<i64>),
    Settings,
}

/// Where the seller is.
pub static ROUTE: GlobalSignal<Route> = Signal::global(|| parse(&current_path()));

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

/// The route for a path such as `/orders/12`.
pub fn parse(path: &str) -> Route {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |i: usize| parts.get(i).and_then(|s| s.parse::<i64>().ok());
    match parts.first().copied().unwrap_or("") {
        "orders" => id(1).map(Route::Order).unwrap_or(Route::Orders),
        "products" if parts.get(1) == Some(&"new") => Route::Product(None),
        "products" => id(1)
            .map(|i| Route::Product(Some(i)))
            .unwrap_or(Route::Products),
        "stock" => Route::Stock(id(1)),
        "faq" => Route::Faq,
        "conversations" => Route::Conversations(id(1)),
        "settings" => Route::Settings,
        _ => Route::Dashboard,
    }
}

/// The path of a route.
pub fn path(r: &Route) -> String {
    match r {
        Route::Dashboard => "/".into(),
        Route::Orders => "/orders".into(),
        Route::Order(id) => format!("/orders/{id}"),
        Route::Products => "/products".into(),
        Route::Product(None) => "/products/new".into(),
        Route::Product(Some(id)) => format!("/products/{id}"),
        Route::Stock(None) => "/stock".into(),
        Route::Stock(Some(id)) => format!("/stock/{id}"),
        Route::Faq => "/faq".into(),
        Route::Conversations(None) => "/conversations".into(),
        Route::Conversations(Some(id)) => format!("/conversations/{id}"),
        Route::Settings => "/settings".into(),
    }
}

/// Goes to a route, adding it to the browser's history.
pub fn go(r: Route) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path(&r)));
    }
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
    *ROUTE.write() = r;
}

/// Goes to a route with a query string (e.g. a list's filter), as a link would.
pub fn go_query(r: Route, query: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("{}?{query}", path(&r));
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    *ROUTE.write() = r;
}

/// A parameter of the address's query string.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| js_sys::decode_uri_component(v).ok().map(String::from))
}

/// Follows the browser's back and forward buttons.
pub fn on_popstate() {
    *ROUTE.write() = parse(&current_path());
}
