//! The API's routes, one file per resource.

mod assistant;
mod deliveries;
mod events;
mod extension;
mod faq;
mod messages;
mod orders;
mod products;
mod session;
mod shopee;
mod stats;
mod stock;
mod system;

use super::App;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use session::signin;
pub use shopee::callback as shopee_callback;

pub fn register(r: OpenApiRouter<App>) -> OpenApiRouter<App> {
    r.routes(routes!(system::health))
        .routes(routes!(session::session))
        .routes(routes!(session::logout))
        .routes(routes!(events::events))
        .routes(routes!(stats::dashboard))
        .routes(routes!(stats::today))
        .routes(routes!(extension::report, extension::get))
        .routes(routes!(system::system_info))
        .routes(routes!(system::get_delivery, system::put_delivery))
        .routes(routes!(system::backup))
        .routes({
            // A backup is larger than any other body.
            let (schemas, paths, route) = routes!(system::restore);
            let limit = axum::extract::DefaultBodyLimit::max(system::MAX_BACKUP_BYTES);
            (schemas, paths, route.layer(limit))
        })
        .routes(routes!(system::pair))
        .routes(routes!(system::create_pairing_code))
        .routes(routes!(system::list_tokens))
        .routes(routes!(system::revoke_token))
        .routes(routes!(products::list, products::create))
        .routes(routes!(
            products::get_one,
            products::patch,
            products::delete
        ))
        .routes(routes!(products::import_stock, products::stock))
        .routes(routes!(stock::list_items))
        .routes(routes!(stock::find_stock))
        .routes(routes!(stock::withdraw_stock))
        .routes(routes!(stock::export_stock))
        .routes(routes!(stock::deliver_waiting))
        .routes(routes!(orders::list, orders::intake))
        .routes(routes!(orders::get_one))
        .routes(routes!(orders::set_status))
        .routes(routes!(orders::resend))
        .routes(routes!(orders::deliver))
        .routes(routes!(orders::items))
        .routes(routes!(orders::replace_item))
        .routes(routes!(orders::release_item))
        .routes(routes!(deliveries::list))
        .routes(routes!(deliveries::confirm))
        .routes(routes!(faq::list, faq::create))
        .routes(routes!(faq::import))
        .routes(routes!(faq::export))
        .routes(routes!(faq::get_one, faq::patch, faq::delete))
        .routes(routes!(faq::search))
        .routes(routes!(messages::receive))
        .routes(routes!(messages::list_replies))
        .routes(routes!(messages::confirm_reply))
        .routes(routes!(messages::approve_reply))
        .routes(routes!(messages::discard_reply))
        .routes(routes!(messages::list_conversations))
        .routes(routes!(messages::conversation))
        .routes(routes!(messages::seller_reply))
        .routes(routes!(assistant::status))
        .routes(routes!(assistant::set_model))
        .routes(routes!(assistant::rebuild))
        .routes(routes!(assistant::insights))
        .routes(routes!(assistant::get_ai, assistant::put_ai))
        .routes(routes!(assistant::effective))
        .routes(routes!(assistant::get_llm, assistant::put_llm))
        .routes(routes!(shopee::get_app, shopee::put_app))
        .routes(routes!(shopee::authorize))
        .routes(routes!(shopee::shops, shopee::connect))
        .routes(routes!(shopee::disconnect))
        .routes(routes!(shopee::sync_now))
}
