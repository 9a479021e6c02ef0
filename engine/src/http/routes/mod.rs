//! The API's routes, one file per resource.

mod deliveries;
mod orders;
mod products;
mod system;

use super::App;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use system::index;

pub fn register(r: OpenApiRouter<App>) -> OpenApiRouter<App> {
    r.routes(routes!(system::health))
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
        .routes(routes!(orders::list, orders::intake))
        .routes(routes!(orders::get_one))
        .routes(routes!(orders::set_status))
        .routes(routes!(orders::resend))
        .routes(routes!(orders::deliver))
        .routes(routes!(deliveries::list))
        .routes(routes!(deliveries::confirm))
}
