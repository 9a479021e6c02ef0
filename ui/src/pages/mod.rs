//! One module per page.

pub mod assistant_settings;
pub mod conversations;
pub mod dashboard;
pub mod faq;
pub mod order;
pub mod order_items;
pub mod orders;
pub mod product;
pub mod products;
pub mod settings;
pub mod shopee_settings;
pub mod shopee_shops;
pub mod stock;
pub mod stock_items;
