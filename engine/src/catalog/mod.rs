//! The catalog: products, their delivery kind and Shopee mapping, and the stock of unique items.

pub mod bench;
mod import;
pub mod low_stock;
mod mapping;
mod products;
mod stock;
mod stock_engine;
pub mod stock_export;
mod stock_find;
pub mod stock_list;
mod stock_mask;

pub use import::{parse_stock, StockInput, StockItemInput, StockSecret};
pub use mapping::{product_row, resolve_product, Mapping, Resolver};
pub use products::{
    create_product, delete_product, get_product, list_products, update_product, Kind, NewProduct,
    Product, ProductPatch, ProductRow,
};
pub use stock::{
    batch_label, import_stock, stock_counts, ImportReport, LineIssue, StatusCounts, StockCounts,
};
pub use stock_export::{ExportFormat, PlainItem, WithdrawReport, WithdrawRequest};
pub use stock_find::FoundItem;
pub use stock_list::{ItemQuery, OrderRef, StockItemPage, StockItemView};
pub use stock_mask::mask_secret;
