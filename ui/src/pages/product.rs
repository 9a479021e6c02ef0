//! Creating and editing a product: kind, price, template with a live preview, Shopee mapping.

use crate::api;
use crate::format::datetime;
use crate::i18n::{t, tk};
use crate::route::{go, Route};
use crate::session::PRODUCTS_TICK;
use crate::types::{is_stock_kind, Kind, Mapping, NewProduct, Product, ProductPatch, StockCounts};
use crate::widgets::{ErrorNote, OkNote};
use dioxus::prelude::*;

pub const KINDS: [&str; 6] = ["license_key", "voucher", "account", "link", "file", "text"];
pub const CURRENCIES: [&str; 6] = ["IDR", "VND", "THB", "MYR", "PHP", "SGD"];

/// The form's fields, as typed (numbers stay text until saved, so nothing typed is lost).
#[derive(Clone, PartialEq, Default)]
struct Form {
    name: String,
    sku: String,
    kind: String,
    price: String,
    currency: String,
    language: String,
    template: String,
    instructions: String,
    content: String,
    threshold: String,
    active: bool,
    mappings: Vec<MapRow>,
}

#[derive(Clone, PartialEq, Default)]
struct MapRow {
    shop: String,
    item_id: String,
    model_id: String,
    sku: String,
}

impl Form {
    fn new() -> Self {
        Form {
            kind: "license_key".into(),
            currency: "IDR".into(),
            language: "id".into(),
            threshold: "5".into(),
            active: true,
            ..Default::default()
        }
    }

    fn from(p: &Product) -> Self {
        let opt = |v: &Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        Form {
            name: p.name.clone(),
            sku: p.sku.clone(),
            kind: p.kind.as_str().to_string(),
            price: p.price.to_string(),
            currency: p.currency.clone(),
            language: p.language.clone(),
            template: p.template.clone(),
            instructions: p.instructions.clone(),
            content: p.content.clone(),
            threshold: p.low_stock_threshold.to_string(),
            active: p.active,
            mappings: p
                .mappings
                .iter()
                .map(|m| MapRow {
                    shop: m.shop.clone().unwrap_or_default(),
                    item_id: opt(&m.item_id),
                    model_id: opt(&m.model_id),
                    sku: m.sku.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// The product as the form has it, or what is wrong with a field.
    fn body(&self, creating: bool) -> Result<NewProduct, String> {
        let kind = Kind::parse(&self.kind).ok_or_else(|| t("product.err_kind").to_string())?;
        let price: f64 = self
            .price
            .trim()
            .replace(',', ".")
            .parse()
            .map_err(|_| t("product.err_price").to_string())?;
        let threshold: i64 = self
            .threshold
            .trim()
            .parse()
            .map_err(|_| t("product.err_threshold").to_string())?;
        let mut maps = Vec::new();
        for m in &self.mappings {
            let num = |s: &str| -> Result<Option<i64>, String> {
                if s.trim().is_empty() {
                    Ok(None)
                } else {
                    s.trim()
                        .parse()
                        .map(Some)
                        .map_err(|_| t("product.err_item").to_string())
                }
            };
            let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
            maps.push(Mapping {
                shop: text(&m.shop),
                item_id: num(&m.item_id)?,
                model_id: num(&m.model_id)?,
                sku: text(&m.sku),
            });
        }
        Ok(NewProduct {
            name: self.name.clone(),
            sku: self.sku.clone(),
            kind,
            price,
            currency: self.currency.clone(),
            // A new product with no template gets the engine's default in its language.
            template: (!(creating && self.template.trim().is_empty()))
                .then(|| self.template.clone()),
            content: Some(self.content.clone()),
            instructions: Some(self.instructions.clone()),
            language: Some(self.language.clone()),
            active: Some(self.active),
            low_stock_threshold: Some(threshold),
            mappings: Some(maps),
        })
    }
}

/// Saving an existing product sends every field of the form.
fn patch_of(p: NewProduct) -> ProductPatch {
    ProductPatch {
        name: Some(p.name),
        sku: Some(p.sku),
        kind: Some(p.kind),
        price: Some(p.price),
        currency: Some(p.currency),
        template: p.template,
        content: p.content,
        instructions: p.instructions,
        language: p.language,
        active: p.active,
        low_stock_threshold: p.low_stock_threshold,
        mappings: p.mappings,
    }
}

/// The template with sample values, as the buyer would read it.
fn preview(f: &Form) -> String {
    let qty = 2;
    let items = match f.kind.as_str() {
        "account" => t("preview.items_account").to_string(),
        "link" | "file" | "text" => f.content.clone(),
        _ => t("preview.items_key").to_string(),
    };
    f.template
        .replace("{{buyer}}", "budi_santoso")
        .replace("{{order_sn}}", "2611250001ABCD")
        .replace(
            "{{product}}",
            if f.name.is_empty() {
                t("product.name")
            } else {
                &f.name
            },
        )
        .replace("{{items}}", &items)
        .replace("{{quantity}}", &qty.to_string())
        .replace("{{instructions}}", &f.instructions)
}

#[component]
pub fn ProductEdit(id: Option<i64>) -> Element {
    let mut form = use_signal(Form::new);
    let mut loaded = use_signal(|| id.is_none());
    let mut error = use_signal(|| None::<String>);
    let mut saved = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    use_hook(move || {
        if let Some(id) = id {
            spawn(async move {
                match api::get::<Product>(&format!("/api/v1/products/{id}")).await {
                    Ok(p) => form.set(Form::from(&p)),
                    Err(e) => error.set(Some(e.message)),
                }
                loaded.set(true);
            });
        }
    });
    let save = move |e: FormEvent| {
        e.prevent_default();
        error.set(None);
        saved.set(None);
        let body = match form.read().body(id.is_none()) {
            Ok(b) => b,
            Err(msg) => {
                error.set(Some(msg));
                return;
            }
        };
        busy.set(true);
        spawn(async move {
            let res = match id {
                None => api::call::<_, Product>("POST", "/api/v1/products", &body).await,
                Some(id) => {
                    let patch = patch_of(body);
                    api::call::<_, Product>("PATCH", &format!("/api/v1/products/{id}"), &patch)
                        .await
                }
            };
            busy.set(false);
            match res {
                Ok(p) => {
                    *PRODUCTS_TICK.write() += 1;
                    if id.is_none() {
                        go(Route::Product(Some(p.id)));
                    }
                    form.set(Form::from(&p));
                    saved.set(Some(t("product.saved").to_string()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let delete = move |_| {
        let Some(id) = id else { return };
        if !crate::widgets::confirm(t("product.confirm_delete")) {
            return;
        }
        spawn(async move {
            match api::call_empty("DELETE", &format!("/api/v1/products/{id}"), api::Body::None)
                .await
            {
                Ok(()) => {
                    *PRODUCTS_TICK.write() += 1;
                    go(Route::Products);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    if !loaded() {
        return rsx! { p { class: "loading", "{t(\"loading\")}" } };
    }
    let f = form.read().clone();
    let stock_kind = is_stock_kind(&f.kind);
    rsx! {
        a { class: "back", href: "/products", onclick: move |e: MouseEvent| { e.prevent_default(); go(Route::Products); }, "← {t(\"nav.products\")}" }
        h1 { if id.is_some() { "{t(\"product.edit\")}: {f.name}" } else { "{t(\"products.new\")}" } }
        form { class: "grid-form", id: "product-form", onsubmit: save,
            div { class: "col",
                label { "{t(\"product.name\")}"
                    input { id: "p-name", required: true, value: "{f.name}", oninput: move |e| form.write().name = e.value() }
                }
                label { "SKU"
                    input { id: "p-sku", required: true, value: "{f.sku}", oninput: move |e| form.write().sku = e.value() }
                }
                label { "{t(\"product.kind\")}"
                    select { id: "p-kind", onchange: move |e| form.write().kind = e.value(),
                        for k in KINDS {
                            option { key: "{k}", value: "{k}", selected: f.kind == k, "{tk(\"kind\", k)}" }
                        }
                    }
                }
                div { class: "row",
                    label { "{t(\"product.price\")}"
                        input { id: "p-price", inputmode: "decimal", value: "{f.price}", oninput: move |e| form.write().price = e.value() }
                    }
                    label { "{t(\"product.currency\")}"
                        select { id: "p-currency", onchange: move |e| form.write().currency = e.value(),
                            for c in CURRENCIES {
                                option { key: "{c}", value: "{c}", selected: f.currency == c, "{c}" }
                            }
                        }
                    }
                    label { "{t(\"product.language\")}"
                        select { onchange: move |e| form.write().language = e.value(),
                            for (code, name) in [("id", "Bahasa Indonesia"), ("en", "English"), ("vi", "Tiếng Việt"), ("th", "ไทย"), ("ms", "Bahasa Melayu"), ("tl", "Filipino")] {
                                option { key: "{code}", value: "{code}", selected: f.language == code, "{name}" }
                            }
                        }
                    }
                }
                if stock_kind {
                    label { "{t(\"stock.threshold\")}"
                        input { id: "p-threshold", r#type: "number", min: "0", value: "{f.threshold}", oninput: move |e| form.write().threshold = e.value() }
                    }
                    if let Some(pid) = id {
                        StockSummary { id: pid }
                    }
                } else {
                    label { "{tk(\"content\", &f.kind)}"
                        textarea { id: "p-content", rows: "3", value: "{f.content}", oninput: move |e| form.write().content = e.value() }
                    }
                }
                label { "{t(\"product.instructions\")}"
                    textarea { id: "p-instructions", rows: "3", value: "{f.instructions}", oninput: move |e| form.write().instructions = e.value() }
                }
                label { class: "check",
                    input { r#type: "checkbox", checked: f.active, onchange: move |e| form.write().active = e.checked() }
                    "{t(\"product.active\")}"
                }
            }
            div { class: "col",
                label { "{t(\"product.template\")}"
                    textarea { id: "p-template", rows: "8", value: "{f.template}", placeholder: "{t(\"product.template_hint\")}", oninput: move |e| form.write().template = e.value() }
                }
                p { class: "muted small", "{{{{buyer}}}} {{{{order_sn}}}} {{{{product}}}} {{{{items}}}} {{{{quantity}}}} {{{{instructions}}}}" }
                h3 { "{t(\"product.preview\")}" }
                pre { class: "preview", id: "template-preview",
                    if f.template.trim().is_empty() { "{t(\"product.preview_default\")}" } else { "{preview(&f)}" }
                }
                h3 { "{t(\"product.mapping\")}" }
                p { class: "muted small", "{t(\"product.mapping_hint\")}" }
                for (i, m) in f.mappings.iter().enumerate() {
                    div { key: "{i}", class: "row mapping",
                        input { placeholder: "{t(\"map.shop\")}", value: "{m.shop}", oninput: move |e| form.write().mappings[i].shop = e.value() }
                        input { placeholder: "item_id", inputmode: "numeric", value: "{m.item_id}", oninput: move |e| form.write().mappings[i].item_id = e.value() }
                        input { placeholder: "model_id", inputmode: "numeric", value: "{m.model_id}", oninput: move |e| form.write().mappings[i].model_id = e.value() }
                        input { placeholder: "SKU", value: "{m.sku}", oninput: move |e| form.write().mappings[i].sku = e.value() }
                        button { r#type: "button", onclick: move |_| { form.write().mappings.remove(i); }, "×" }
                    }
                }
                button { r#type: "button", onclick: move |_| form.write().mappings.push(MapRow::default()), "+ {t(\"product.add_mapping\")}" }
            }
            div { class: "foot",
                ErrorNote { error: error() }
                OkNote { text: saved() }
                button { id: "save-product", class: "primary", r#type: "submit", disabled: busy(), "{t(\"save\")}" }
                if let Some(pid) = id {
                    if stock_kind {
                        button { r#type: "button", onclick: move |_| go(Route::Stock(Some(pid))), "{t(\"products.stock\")}" }
                    }
                    button { r#type: "button", class: "danger", onclick: delete, "{t(\"delete\")}" }
                }
            }
        }
    }
}

/// The product's stock at a glance: what is left, since when it is low, orders waiting.
#[component]
fn StockSummary(id: i64) -> Element {
    let counts = use_resource(move || async move {
        let _ = PRODUCTS_TICK();
        api::get::<StockCounts>(&format!("/api/v1/products/{id}/stock")).await
    });
    let r = counts.read();
    let Some(Ok(s)) = r.as_ref() else {
        return rsx! {};
    };
    rsx! {
        div { class: if s.low_stock { "stock-summary warn" } else { "stock-summary" }, id: "product-stock",
            a {
                href: "/stock/{id}",
                onclick: move |e: MouseEvent| {
                    e.prevent_default();
                    go(Route::Stock(Some(id)));
                },
                "{t(\"stock.available\")}: {s.available} · {t(\"stock.sold\")}: {s.allocated} · {t(\"stock.total\")}: {s.total}"
            }
            if let Some(since) = s.low_stock_since.as_ref() {
                p { class: "muted small", "{t(\"stock.low_since\")} {datetime(since)}" }
            }
            if s.waiting_orders > 0 {
                p { class: "warn", "{s.waiting_orders} {t(\"stock.waiting\")}" }
            }
        }
    }
}
