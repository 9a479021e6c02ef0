//! The catalog: products, their delivery kind and Shopee mapping, and the stock of unique items.

mod import;
mod mapping;
mod products;
mod stock;

pub use import::{parse_stock, StockInput, StockItemInput, StockSecret};
pub use mapping::{product_row, resolve_product, Mapping, Resolver};
pub use products::{
    create_product, delete_product, get_product, list_products, update_product, Kind, NewProduct,
    Product, ProductPatch, ProductRow,
};
pub use stock::{import_stock, stock_counts, ImportReport, LineIssue, StockCounts};
