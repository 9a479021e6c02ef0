//! Reads and writes over the indradb datastore: applying facts, one-hop traversals, counts and
//! the bulk loader a rebuild uses.

use std::collections::HashSet;

use indradb::{
    AllEdgeQuery, AllVertexQuery, BulkInsertItem, CountQueryExt, Database, Edge, EdgeDirection,
    Identifier, Json, MemoryDatastore, PipeQuery, Query, QueryExt, QueryOutputValue,
    SpecificEdgeQuery, SpecificVertexQuery, Vertex,
};
use uuid::Uuid;

use super::schema::{Facts, SCHEMA};
use super::{GraphStats, MemoryError};

pub(super) type Db = Database<MemoryDatastore>;

/// Adds whatever `facts` asserts that the graph does not hold yet; returns whether it added any.
pub(super) fn apply(db: &Db, facts: &Facts) -> Result<bool, MemoryError> {
    let ids = facts.vertices.iter().map(|(id, _, _)| *id).collect();
    let known: HashSet<Uuid> = vertices(db, SpecificVertexQuery::new(ids))?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let present: HashSet<Edge> = edges(db, SpecificEdgeQuery::new(facts.edges.clone()))?
        .into_iter()
        .collect();

    let mut items = Vec::new();
    for (id, t, key) in &facts.vertices {
        if !known.contains(id) {
            items.push(BulkInsertItem::Vertex(Vertex::with_id(*id, *t)));
            items.push(BulkInsertItem::VertexProperty(*id, SCHEMA.key, key.clone()));
        }
    }
    for edge in &facts.edges {
        if !present.contains(edge) {
            items.push(BulkInsertItem::Edge(edge.clone()));
        }
    }
    if items.is_empty() {
        return Ok(false);
    }
    db.bulk_insert(items)?;
    Ok(true)
}

/// Deletes a vertex and its edges; returns whether it existed.
pub(super) fn delete_vertex(db: &Db, id: Uuid) -> Result<bool, MemoryError> {
    if vertices(db, SpecificVertexQuery::single(id))?.is_empty() {
        return Ok(false);
    }
    db.delete(SpecificVertexQuery::single(id))?;
    Ok(true)
}

/// The vertices of type `t` one `edge` away from any of `from` (following the edge forwards for
/// `Outbound`, backwards for `Inbound`), with their keys, in the order of `from`.
pub(super) fn hop(
    db: &Db,
    from: Vec<Uuid>,
    edge: Identifier,
    direction: EdgeDirection,
    t: Identifier,
) -> Result<Vec<(Uuid, Json)>, MemoryError> {
    if from.is_empty() {
        return Ok(Vec::new());
    }
    let edges = PipeQuery::new(Box::new(SpecificVertexQuery::new(from).into()), direction)?.t(edge);
    // An edge's far end is its inbound vertex when walking forwards, its outbound one backwards.
    let far_end = match direction {
        EdgeDirection::Outbound => EdgeDirection::Inbound,
        EdgeDirection::Inbound => EdgeDirection::Outbound,
    };
    let query = PipeQuery::new(Box::new(edges.into()), far_end)?
        .t(t)
        .properties()?
        .name(SCHEMA.key);
    match last(db.get(query)?)? {
        QueryOutputValue::VertexProperties(found) => Ok(found
            .into_iter()
            .filter_map(|vp| {
                let key = vp.props.into_iter().next()?.value;
                Some((vp.vertex.id, key))
            })
            .collect()),
        _ => Err(unexpected()),
    }
}

/// Of the given vertices, those that at least one `edge` points at.
pub(super) fn pointed_at(
    db: &Db,
    ids: Vec<Uuid>,
    edge: Identifier,
) -> Result<HashSet<Uuid>, MemoryError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let query = SpecificVertexQuery::new(ids).inbound()?.t(edge);
    Ok(edges(db, query)?
        .into_iter()
        .map(|e| e.inbound_id)
        .collect())
}

/// Vertices per type and the number of edges.
pub(super) fn stats(db: &Db) -> Result<GraphStats, MemoryError> {
    let s = &*SCHEMA;
    let mut stats = GraphStats::default();
    for vertex in vertices(db, AllVertexQuery)? {
        let count = match vertex.t {
            t if t == s.customer => &mut stats.customers,
            t if t == s.order => &mut stats.orders,
            t if t == s.product => &mut stats.products,
            t if t == s.faq => &mut stats.faqs,
            t if t == s.conversation => &mut stats.conversations,
            t if t == s.question => &mut stats.questions,
            _ => continue,
        };
        *count += 1;
    }
    stats.edges = match last(db.get(AllEdgeQuery.count()?)?)? {
        QueryOutputValue::Count(n) => usize::try_from(n).unwrap_or(usize::MAX),
        _ => return Err(unexpected()),
    };
    Ok(stats)
}

/// Fills an empty datastore fast: each vertex inserted once, items sent in large batches.
pub(super) struct Loader<'a> {
    db: &'a Db,
    items: Vec<BulkInsertItem>,
    seen: HashSet<Uuid>,
}

/// Items per bulk insert: large enough to amortise the lock, small enough to bound memory.
const BATCH: usize = 50_000;

impl<'a> Loader<'a> {
    pub fn new(db: &'a Db) -> Self {
        Loader {
            db,
            items: Vec::with_capacity(BATCH),
            seen: HashSet::new(),
        }
    }

    pub fn add(&mut self, facts: Facts) -> Result<(), MemoryError> {
        for (id, t, key) in facts.vertices {
            if self.seen.insert(id) {
                self.items
                    .push(BulkInsertItem::Vertex(Vertex::with_id(id, t)));
                self.items
                    .push(BulkInsertItem::VertexProperty(id, SCHEMA.key, key));
            }
        }
        self.items
            .extend(facts.edges.into_iter().map(BulkInsertItem::Edge));
        if self.items.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), MemoryError> {
        self.flush()
    }

    fn flush(&mut self) -> Result<(), MemoryError> {
        let items = std::mem::replace(&mut self.items, Vec::with_capacity(BATCH));
        if !items.is_empty() {
            self.db.bulk_insert(items)?;
        }
        Ok(())
    }
}

fn vertices(db: &Db, query: impl Into<Query>) -> Result<Vec<Vertex>, MemoryError> {
    match last(db.get(query)?)? {
        QueryOutputValue::Vertices(vertices) => Ok(vertices),
        _ => Err(unexpected()),
    }
}

fn edges(db: &Db, query: impl Into<Query>) -> Result<Vec<Edge>, MemoryError> {
    match last(db.get(query)?)? {
        QueryOutputValue::Edges(edges) => Ok(edges),
        _ => Err(unexpected()),
    }
}

/// A query's result is the last of its outputs.
fn last(mut outputs: Vec<QueryOutputValue>) -> Result<QueryOutputValue, MemoryError> {
    outputs.pop().ok_or_else(unexpected)
}

fn unexpected() -> MemoryError {
    MemoryError::Graph(indradb::Error::OperationOnQuery)
}
