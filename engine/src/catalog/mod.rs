//! The catalog: products, their delivery kind and Shopee mapping, and the stock of unique items.

mod import;
mod products;
mod stock;

pub use import::{parse_stock, StockInput, StockItemInput, StockSecret};
pub use products::{
    create_product, delete_product, get_product, list_products, product_row, resolve_product,
    update_product, Kind, Mapping, NewProduct, Product, ProductPatch, ProductRow, Resolver,
};
pub use stock::{import_stock, stock_counts, ImportReport, LineIssue, StockCounts};
