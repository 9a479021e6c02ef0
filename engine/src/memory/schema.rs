//! What the graph holds: vertex and edge types, deterministic vertex ids, and the facts that one
//! recorded event asserts.

use std::sync::LazyLock;

use indradb::{Edge, Identifier, Json};
use uuid::Uuid;

use super::Buyer;

/// Vertex ids are UUID v5 of a key string in this namespace, so recording a fact twice, or
/// rebuilding the graph, lands on the same vertices.
const NAMESPACE: Uuid = Uuid::from_u128(0x5b0e_6c1d_9a43_4f7e_8d21_3c6a_f0b4_7e19);

/// The identifiers the graph uses: vertex types, edge types and the one vertex property.
pub(super) struct Schema {
    pub customer: Identifier,
    pub order: Identifier,
    pub product: Identifier,
    pub faq: Identifier,
    pub conversation: Identifier,
    pub question: Identifier,
    pub bought: Identifier,
    pub about: Identifier,
    pub asked: Identifier,
    pub in_: Identifier,
    pub answered_by: Identifier,
    pub with: Identifier,
    /// The SQLite-side id of a vertex (a string or a number), so results map back to rows.
    pub key: Identifier,
}

pub(super) static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    customer: ident("customer"),
    order: ident("order"),
    product: ident("product"),
    faq: ident("faq"),
    conversation: ident("conversation"),
    question: ident("question"),
    bought: ident("bought"),
    about: ident("about"),
    asked: ident("asked"),
    in_: ident("in"),
    answered_by: ident("answered_by"),
    with: ident("with"),
    key: ident("key"),
});

fn ident(name: &'static str) -> Identifier {
    Identifier::new(name).expect("the graph's identifiers are valid indradb identifiers")
}

fn vertex_id(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes())
}

/// `{shop}/{user_id}` when Shopee gave the buyer's id, else `{shop}/@{lowercase username}`
/// (the `@` keeps a numeric username apart from an id); `None` for an anonymous buyer, who
/// must not be merged with every other anonymous buyer of the shop.
fn customer_key(buyer: &Buyer) -> Option<String> {
    if let Some(user_id) = buyer.user_id {
        return Some(format!("{}/{user_id}", buyer.shop));
    }
    let name = buyer.username.trim().to_lowercase();
    (!name.is_empty()).then(|| format!("{}/@{name}", buyer.shop))
}

/// The customer vertex of a buyer, if the buyer is known at all.
pub(super) fn customer_id(buyer: &Buyer) -> Option<Uuid> {
    customer_key(buyer).map(|key| vertex_id("customer", &key))
}

pub(super) fn product_id(product: i64) -> Uuid {
    vertex_id("product", &product.to_string())
}

pub(super) fn faq_id(faq: i64) -> Uuid {
    vertex_id("faq", &faq.to_string())
}

/// The vertices (id, type, key) and edges one event asserts; applying it twice changes nothing.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub vertices: Vec<(Uuid, Identifier, Json)>,
    pub edges: Vec<Edge>,
}

impl Facts {
    /// A buyer placed an order for these products.
    pub fn order(buyer: &Buyer, order_sn: &str, product_ids: &[i64]) -> Facts {
        let s = &*SCHEMA;
        let mut facts = Facts::default();
        let order_key = format!("{}/{order_sn}", buyer.shop);
        let order = facts.vertex(
            vertex_id("order", &order_key),
            s.order,
            Json::new(order_sn.into()),
        );
        if let Some(customer) = facts.customer_vertex(buyer) {
            facts.edge(customer, s.bought, order);
        }
        for &product in product_ids {
            let product = facts.product_vertex(product);
            facts.edge(order, s.about, product);
        }
        facts
    }

    /// A buyer asked a question (message `message_id`) in a conversation.
    pub fn question(
        buyer: &Buyer,
        conversation_id: &str,
        message_id: i64,
        product_id: Option<i64>,
        answered_by: Option<i64>,
    ) -> Facts {
        let s = &*SCHEMA;
        let mut facts = Facts::default();
        let question = facts.question_vertex(message_id);
        let conversation_key = format!("{}/{conversation_id}", buyer.shop);
        let conversation = facts.vertex(
            vertex_id("conversation", &conversation_key),
            s.conversation,
            Json::new(conversation_key.into()),
        );
        facts.edge(question, s.in_, conversation);
        if let Some(customer) = facts.customer_vertex(buyer) {
            facts.edge(customer, s.asked, question);
            facts.edge(conversation, s.with, customer);
        }
        if let Some(product) = product_id {
            let product = facts.product_vertex(product);
            facts.edge(question, s.about, product);
        }
        if let Some(faq) = answered_by {
            let faq = facts.faq_vertex(faq);
            facts.edge(question, s.answered_by, faq);
        }
        facts
    }

    /// An FAQ entry answered a question (possibly one the graph has not seen yet).
    pub fn answer(message_id: i64, faq_id: i64) -> Facts {
        let mut facts = Facts::default();
        let question = facts.question_vertex(message_id);
        let faq = facts.faq_vertex(faq_id);
        facts.edge(question, SCHEMA.answered_by, faq);
        facts
    }

    fn customer_vertex(&mut self, buyer: &Buyer) -> Option<Uuid> {
        let key = customer_key(buyer)?;
        let id = vertex_id("customer", &key);
        Some(self.vertex(id, SCHEMA.customer, Json::new(key.into())))
    }

    fn product_vertex(&mut self, product: i64) -> Uuid {
        self.vertex(
            product_id(product),
            SCHEMA.product,
            Json::new(product.into()),
        )
    }

    fn faq_vertex(&mut self, faq: i64) -> Uuid {
        self.vertex(faq_id(faq), SCHEMA.faq, Json::new(faq.into()))
    }

    fn question_vertex(&mut self, message_id: i64) -> Uuid {
        let id = vertex_id("question", &message_id.to_string());
        self.vertex(id, SCHEMA.question, Json::new(message_id.into()))
    }

    fn vertex(&mut self, id: Uuid, t: Identifier, key: Json) -> Uuid {
        if !self.vertices.iter().any(|(known, _, _)| *known == id) {
            self.vertices.push((id, t, key));
        }
        id
    }

    fn edge(&mut self, from: Uuid, t: Identifier, to: Uuid) {
        self.edges.push(Edge::new(from, t, to));
    }
}
