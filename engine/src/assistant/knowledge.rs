//! The searchable FAQ: the embedding model, the vector index and the map of live variants,
//! kept in step with SQLite. SQLite is the truth; the index is rebuilt from it whenever it is
//! missing, stale or does not add up.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::RwLock;
use std::time::Instant;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use super::embed::{self, ModelPaths};
use super::index::VectorIndex;
use super::model::Model;
use super::retrieve::{self, EntryHit, VariantInfo};
use super::words::Words;
use crate::store::Db;
use crate::Result;

/// Variants embedded per step of the background indexer (about 0.2 s of work).
const BATCH: usize = 64;

pub use auto_api::{KnowledgeStatus, SearchMode};

/// An entry's centroids, one per language of its variants. A question is compared with the
/// centroid of the variants in its own language, and only when there are at least
/// `MIN_FOR_CENTROID` of them: an entry phrased in English and Indonesian has an overall mean
/// close to neither, and the mean of one or two phrasings says nothing the best one does not.
#[derive(Debug, Clone, Default)]
struct Centroids {
    by_language: Vec<(&'static str, usize, Vec<f32>)>,
}

const MIN_FOR_CENTROID: usize = 3;

impl Centroids {
    fn for_language(&self, language: &str) -> Option<&[f32]> {
        self.by_language
            .iter()
            .find(|(l, n, _)| *l == language && *n >= MIN_FOR_CENTROID)
            .map(|(_, _, c)| c.as_slice())
    }
}

fn add_into(sum: &mut Vec<f32>, v: &[f32]) {
    if sum.is_empty() {
        *sum = v.to_vec();
    } else if sum.len() == v.len() {
        sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
    }
}

/// One search, with what it found and how long it took.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchOutcome {
    pub hits: Vec<EntryHit>,
    pub mode: SearchMode,
    pub micros: u64,
    /// Some of the best word matches have no vector yet (an import is being indexed): their
    /// true score is unknown, so no answer should go out on this search alone.
    pub incomplete: bool,
}

pub struct Knowledge {
    index_dir: PathBuf,
    pub model: Model,
    index: RwLock<VectorIndex>,
    variants: RwLock<HashMap<usize, VariantInfo>>,
    /// The live variants' words, for full-text search.
    words: RwLock<Words>,
    /// Mean vectors (unit length) of each live entry's embedded variants.
    centroids: RwLock<HashMap<i64, Centroids>>,
    /// Live variants that have no vector in the index yet.
    pending: AtomicUsize,
    /// The index changed since it was last written to disk.
    dirty: AtomicBool,
    /// Wakes the background indexer.
    pub wake: tokio::sync::Notify,
}

impl Knowledge {
    /// Notes the model (or why there is none), reads the live variants, and loads the index
    /// from disk when it matches SQLite; otherwise starts from the vectors stored in SQLite and
    /// leaves the rest to the background indexer. The model is loaded now only when there is
    /// an FAQ to search, and is let go after `keep_model_for` without use.
    pub fn open(
        db: &Db,
        data_dir: &Path,
        models_dir: &Path,
        model: &str,
        keep_model_for: std::time::Duration,
    ) -> Result<Knowledge> {
        let k = Knowledge {
            index_dir: data_dir.join("faq-index"),
            model: Model::open(model, &ModelPaths::new(models_dir), keep_model_for),
            index: RwLock::new(VectorIndex::new(0, 0)),
            variants: RwLock::new(HashMap::new()),
            words: RwLock::new(Words::default()),
            centroids: RwLock::new(HashMap::new()),
            pending: AtomicUsize::new(0),
            dirty: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        };
        k.reload(db)?;
        let has_faq = !k
            .variants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        if has_faq {
            // The first buyer's question should not wait for the model.
            k.model.get();
        }
        Ok(k)
    }

    /// What stored vectors and the index on disk are stamped with: the model's tag, which
    /// carries a fingerprint of its weights, so vectors from another build of the same model
    /// are never mixed in.
    fn vector_tag(&self) -> String {
        self.model.tag()
    }

    /// Re-reads the live variants and brings the index in line with them.
    fn reload(&self, db: &Db) -> Result<()> {
        let (variants, words) = db.read(live_variants)?;
        let model = self.vector_tag();
        *self.variants.write().unwrap_or_else(|p| p.into_inner()) = variants.clone();
        *self.words.write().unwrap_or_else(|p| p.into_inner()) = words;
        if !self.model.usable() {
            self.pending.store(0, Ordering::Relaxed);
            return Ok(());
        }
        let dim = self.model.dim();
        let started = Instant::now();
        let embedded: HashSet<usize> = db.read(|c| embedded_ids(c, &model))?;
        let live_embedded: HashSet<usize> = variants
            .keys()
            .copied()
            .filter(|id| embedded.contains(id))
            .collect();
        let index = match VectorIndex::load(&self.index_dir) {
            Ok((index, manifest))
                if manifest.model == model
                    && manifest.dim == dim
                    && live_embedded.iter().all(|id| index.contains(*id))
                    // Dead entries are filtered out at search time; too many waste memory.
                    && index.len() <= live_embedded.len() * 2 + 1000
                    && self.spot_check(db, &index, &model)? =>
            {
                tracing::info!(
                    vectors = index.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "FAQ index loaded"
                );
                index
            }
            Ok(_) => {
                tracing::warn!("FAQ index on disk does not match the FAQ; rebuilding it");
                self.rebuild_from_stored(db, &model, dim, &live_embedded)?
            }
            Err(e) => {
                if self.index_dir.exists() || !live_embedded.is_empty() {
                    tracing::warn!("FAQ index cannot be used ({e}); rebuilding it");
                }
                self.rebuild_from_stored(db, &model, dim, &live_embedded)?
            }
        };
        self.pending
            .store(variants.len() - live_embedded.len(), Ordering::Relaxed);
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = index;
        let entries: HashSet<i64> = variants.values().map(|v| v.entry_id).collect();
        self.refresh_centroids(db, &entries.into_iter().collect::<Vec<_>>())?;
        Ok(())
    }

    /// Recomputes the centroids of some entries from the vectors in SQLite (an entry with no
    /// live embedded variant has none).
    fn refresh_centroids(&self, db: &Db, entry_ids: &[i64]) -> Result<()> {
        let model = self.vector_tag();
        let fresh: Vec<(i64, Option<Centroids>)> = db.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT v.embedding, v.text FROM faq_variants v JOIN faq_entries e ON e.id = v.entry_id
                 WHERE v.entry_id = ?1 AND e.enabled = 1 AND v.embedding_model = ?2
                   AND v.embedding IS NOT NULL",
            )?;
            let mut out = Vec::with_capacity(entry_ids.len());
            for id in entry_ids {
                let mut cen = Centroids::default();
                let mut rows = stmt.query(params![id, model])?;
                while let Some(r) = rows.next()? {
                    let v = embed::from_blob(&r.get::<_, Vec<u8>>(0)?);
                    let language = super::lang::guess(&r.get::<_, String>(1)?);
                    match cen.by_language.iter_mut().find(|(l, _, _)| *l == language) {
                        Some((_, n, sum)) => {
                            add_into(sum, &v);
                            *n += 1;
                        }
                        None => cen.by_language.push((language, 1, v)),
                    }
                }
                for (_, _, c) in &mut cen.by_language {
                    embed::normalize(c);
                }
                out.push((*id, (!cen.by_language.is_empty()).then_some(cen)));
            }
            Ok(out)
        })?;
        let mut map = self.centroids.write().unwrap_or_else(|p| p.into_inner());
        for (id, c) in fresh {
            match c {
                Some(c) => map.insert(id, c),
                None => map.remove(&id),
            };
        }
        Ok(())
    }

    /// Compares a sample of the index's vectors with SQLite's: an index is never trusted on
    /// its manifest alone.
    fn spot_check(&self, db: &Db, index: &VectorIndex, model: &str) -> Result<bool> {
        let sample: HashSet<usize> = index.ids().step_by((index.len() / 32).max(1)).collect();
        let stored = index.vectors_of(&sample);
        db.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT embedding FROM faq_variants WHERE id = ?1 AND embedding_model = ?2",
            )?;
            for (id, v) in &stored {
                let blob: Option<Vec<u8>> = stmt
                    .query_row(params![*id as i64, model], |r| r.get(0))
                    .optional()?;
                // A variant deleted since the dump is fine (filtered); a different vector is not.
                if let Some(b) = blob {
                    if embed::cosine(v, &embed::from_blob(&b)) < 0.999 {
                        return Ok(false);
                    }
                }
            }
            Ok(true)
        })
    }

    fn rebuild_from_stored(
        &self,
        db: &Db,
        model: &str,
        dim: usize,
        ids: &HashSet<usize>,
    ) -> Result<VectorIndex> {
        let started = Instant::now();
        let mut index = VectorIndex::new(dim, ids.len());
        let mut batch = Vec::with_capacity(4096);
        db.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, embedding FROM faq_variants WHERE embedding_model = ?1 AND embedding IS NOT NULL",
            )?;
            let mut rows = stmt.query([model])?;
            while let Some(r) = rows.next()? {
                let id = r.get::<_, i64>(0)? as usize;
                if ids.contains(&id) {
                    let v = embed::from_blob(&r.get::<_, Vec<u8>>(1)?);
                    batch.push((id, v));
                    if batch.len() == 4096 {
                        index.insert(&batch);
                        batch.clear();
                    }
                }
            }
            Ok(())
        })?;
        index.insert(&batch);
        if !ids.is_empty() {
            tracing::info!(
                vectors = index.len(),
                ms = started.elapsed().as_millis() as u64,
                "FAQ index rebuilt from SQLite"
            );
        }
        self.dirty.store(true, Ordering::Relaxed);
        Ok(index)
    }

    /// Follows a change of entries in SQLite: new variants are embedded now (so an edit is
    /// searchable the moment the API answers) when `embed_now`, else by the background indexer.
    pub fn entries_changed(&self, db: &Db, entry_ids: &[i64], embed_now: bool) -> Result<()> {
        let fresh = db.read(|c| variants_of(c, entry_ids))?;
        {
            let mut map = self.variants.write().unwrap_or_else(|p| p.into_inner());
            let mut words = self.words.write().unwrap_or_else(|p| p.into_inner());
            let entries: HashSet<i64> = entry_ids.iter().copied().collect();
            map.retain(|id, info| {
                let stays = !entries.contains(&info.entry_id);
                if !stays {
                    words.remove(*id);
                }
                stays
            });
            for (id, info, text) in &fresh {
                map.insert(*id, *info);
                words.insert(*id, text);
            }
        }
        let missing: Vec<(usize, String)> = {
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            fresh
                .into_iter()
                .filter(|(id, _, _)| !index.contains(*id))
                .map(|(id, _, text)| (id, text))
                .collect()
        };
        if !missing.is_empty() && self.model.usable() {
            if embed_now && missing.len() <= BATCH {
                self.embed_and_index(db, &missing)?;
            } else {
                self.pending.fetch_add(missing.len(), Ordering::Relaxed);
                self.wake.notify_one();
            }
        }
        // Removed or disabled variants leave the centroid too.
        self.refresh_centroids(db, entry_ids)
    }

    /// Drops variants from search (their index nodes stay until the next rebuild, filtered).
    pub fn variants_removed(&self, ids: &[i64]) {
        let mut map = self.variants.write().unwrap_or_else(|p| p.into_inner());
        let mut words = self.words.write().unwrap_or_else(|p| p.into_inner());
        for id in ids {
            map.remove(&(*id as usize));
            words.remove(*id as usize);
        }
    }

    fn embed_and_index(&self, db: &Db, items: &[(usize, String)]) -> Result<usize> {
        let Some(embedder) = self.model.get() else {
            return Ok(0);
        };
        let texts: Vec<&str> = items.iter().map(|(_, t)| t.as_str()).collect();
        let vectors = embedder
            .embed_passages(&texts)
            .map_err(crate::Error::Conflict)?;
        let model = embedder.tag.clone();
        db.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE faq_variants SET embedding = ?2, embedding_model = ?3 WHERE id = ?1",
            )?;
            for ((id, _), v) in items.iter().zip(&vectors) {
                stmt.execute(params![*id as i64, embed::to_blob(v), model])?;
            }
            Ok(())
        })?;
        let batch: Vec<(usize, Vec<f32>)> = items.iter().map(|(id, _)| *id).zip(vectors).collect();
        self.index
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(&batch);
        self.dirty.store(true, Ordering::Relaxed);
        let entries: HashSet<i64> = {
            let live = self.variants.read().unwrap_or_else(|p| p.into_inner());
            batch
                .iter()
                .filter_map(|(id, _)| live.get(id).map(|v| v.entry_id))
                .collect()
        };
        self.refresh_centroids(db, &entries.into_iter().collect::<Vec<_>>())?;
        Ok(batch.len())
    }

    /// One step of the background indexer: embeds up to a batch of live variants that have no
    /// vector yet. Returns how many it did (0 = nothing left).
    pub fn index_step(&self, db: &Db) -> Result<usize> {
        if !self.model.usable() {
            return Ok(0);
        }
        let model = self.vector_tag();
        let todo: Vec<(usize, String)> = {
            let live = self.variants.read().unwrap_or_else(|p| p.into_inner());
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            let candidates = db.read(|c| unembedded(c, &model, BATCH * 4))?;
            let mut todo: Vec<(usize, String)> = candidates
                .into_iter()
                .filter(|(id, _)| live.contains_key(id) && !index.contains(*id))
                .take(BATCH)
                .collect();
            if todo.is_empty() {
                // Vectors stored (e.g. by an earlier run) but not yet in the index.
                let ids: Vec<usize> = live
                    .keys()
                    .copied()
                    .filter(|id| !index.contains(*id))
                    .take(BATCH)
                    .collect();
                todo = db.read(|c| texts_of(c, &ids))?;
            }
            todo
        };
        if todo.is_empty() {
            self.pending.store(0, Ordering::Relaxed);
            return Ok(0);
        }
        let n = self.embed_and_index(db, &todo)?;
        let _ = self
            .pending
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| {
                Some(p.saturating_sub(n))
            });
        Ok(n)
    }

    /// Embeds everything pending, reporting progress as (done, total).
    pub fn index_all(&self, db: &Db, mut progress: impl FnMut(usize, usize)) -> Result<()> {
        let total = self.status().variants as usize;
        loop {
            let n = self.index_step(db)?;
            let st = self.status();
            progress(st.indexed as usize, total);
            if n == 0 {
                return Ok(());
            }
        }
    }

    /// Writes the index to the data dir if it changed.
    pub fn save_if_dirty(&self) -> Result<bool> {
        if !self.dirty.swap(false, Ordering::Relaxed) {
            return Ok(false);
        }
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = index.save(&self.index_dir, &self.vector_tag()) {
            self.dirty.store(true, Ordering::Relaxed);
            return Err(e.into());
        }
        Ok(true)
    }

    /// Throws the index files away and rebuilds from SQLite (the `auto reindex` command).
    pub fn rebuild(&self, db: &Db) -> Result<()> {
        let _ = std::fs::remove_dir_all(&self.index_dir);
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = VectorIndex::new(0, 0);
        self.reload(db)?;
        self.wake.notify_one();
        Ok(())
    }

    /// Switches to another embedding model: loads it (downloading an online one on first use),
    /// then re-embeds every variant in the background with progress in `status`.
    pub fn switch_model(&self, db: &Db, model: &str) -> Result<()> {
        self.model.switch(model).map_err(crate::Error::Invalid)?;
        self.rebuild(db)
    }

    pub fn status(&self) -> KnowledgeStatus {
        let variants = self
            .variants
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len();
        let (model, model_loaded, model_error) = self.model.view();
        let has_model = model_error.is_none();
        let pending = self.pending.load(Ordering::Relaxed).min(variants);
        KnowledgeStatus {
            mode: if has_model {
                SearchMode::Hybrid
            } else {
                SearchMode::Fulltext
            },
            model,
            model_loaded,
            model_error,
            variants: variants as u64,
            indexed: if has_model {
                (variants - pending) as u64
            } else {
                0
            },
            indexing: has_model && pending > 0,
        }
    }

    /// Full-text candidates for a message (the word half of `search`); `also`: variants the
    /// vector search found.
    pub fn fulltext(
        &self,
        conn: &Connection,
        text: &str,
        also: &[usize],
        keep: &dyn Fn(usize) -> bool,
    ) -> Result<Vec<(usize, f32)>> {
        let words = self.words.read().unwrap_or_else(|p| p.into_inner());
        retrieve::fulltext(conn, text, &words, also, keep)
    }

    /// Hybrid search for a buyer's message, within the scope of `product` when known.
    pub fn search(
        &self,
        conn: &Connection,
        text: &str,
        product: Option<i64>,
    ) -> Result<SearchOutcome> {
        let started = Instant::now();
        let variants = self.variants.read().unwrap_or_else(|p| p.into_inner());
        let keep = |id: usize| {
            variants
                .get(&id)
                .is_some_and(|info| retrieve::in_scope(info, product))
        };
        let embedder = self.model.get();
        let (mut vector, query, mode) = match &embedder {
            Some(embedder) => {
                let q = embedder.embed_query(text).map_err(crate::Error::Conflict)?;
                let index = self.index.read().unwrap_or_else(|p| p.into_inner());
                (
                    retrieve::vector(&index, &q, &keep),
                    Some(q),
                    SearchMode::Hybrid,
                )
            }
            None => (Vec::new(), None, SearchMode::Fulltext),
        };
        let found: Vec<usize> = vector.iter().map(|(id, _)| *id).collect();
        let words = self.fulltext(conn, text, &found, &keep)?;
        // Best word matches that have no vector yet (an import being indexed) are embedded
        // now, so they compete on meaning like the rest instead of being missed.
        let mut incomplete = false;
        if let (Some(embedder), Some(q)) = (&embedder, &query) {
            let missing: Vec<usize> = {
                let index = self.index.read().unwrap_or_else(|p| p.into_inner());
                words
                    .iter()
                    .take(5)
                    .map(|(id, _)| *id)
                    .filter(|id| !index.contains(*id))
                    .collect()
            };
            if !missing.is_empty() {
                let texts = texts_of(conn, &missing)?;
                let refs: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
                match embedder.embed_passages(&refs) {
                    Ok(vs) => vector.extend(
                        texts
                            .iter()
                            .zip(vs)
                            .map(|((id, _), v)| (*id, embed::cosine(q, &v))),
                    ),
                    Err(_) => incomplete = true,
                }
            }
        }
        let centroids = self.centroids.read().unwrap_or_else(|p| p.into_inner());
        let language = super::lang::guess(text);
        let centroid = |entry: i64| {
            let q = query.as_ref()?;
            centroids
                .get(&entry)
                .and_then(|c| c.for_language(language))
                .map(|c| embed::cosine(q, c))
        };
        let hits = retrieve::fuse(&vector, &words, &variants, &centroid);
        Ok(SearchOutcome {
            hits,
            mode,
            micros: started.elapsed().as_micros() as u64,
            incomplete,
        })
    }
}

fn live_variants(c: &Connection) -> Result<(HashMap<usize, VariantInfo>, Words)> {
    let mut stmt = c.prepare(
        "SELECT v.id, v.entry_id, e.product_id, v.text FROM faq_variants v
         JOIN faq_entries e ON e.id = v.entry_id WHERE e.enabled = 1",
    )?;
    let mut rows = stmt.query([])?;
    let (mut variants, mut words) = (HashMap::new(), Words::default());
    while let Some(r) = rows.next()? {
        let id = r.get::<_, i64>(0)? as usize;
        let info = VariantInfo {
            entry_id: r.get(1)?,
            product_id: r.get(2)?,
        };
        variants.insert(id, info);
        words.insert(id, r.get_ref(3)?.as_str().unwrap_or(""));
    }
    Ok((variants, words))
}

fn variants_of(c: &Connection, entry_ids: &[i64]) -> Result<Vec<(usize, VariantInfo, String)>> {
    let mut stmt = c.prepare_cached(
        "SELECT v.id, v.entry_id, e.product_id, v.text FROM faq_variants v
         JOIN faq_entries e ON e.id = v.entry_id WHERE e.id = ?1 AND e.enabled = 1",
    )?;
    let mut out = Vec::new();
    for id in entry_ids {
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)? as usize,
                VariantInfo {
                    entry_id: r.get(1)?,
                    product_id: r.get(2)?,
                },
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

fn embedded_ids(c: &Connection, model: &str) -> Result<HashSet<usize>> {
    let mut stmt = c.prepare(
        "SELECT id FROM faq_variants WHERE embedding IS NOT NULL AND embedding_model = ?1",
    )?;
    let rows = stmt.query_map([model], |r| Ok(r.get::<_, i64>(0)? as usize))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn unembedded(c: &Connection, model: &str, limit: usize) -> Result<Vec<(usize, String)>> {
    let mut stmt = c.prepare_cached(
        "SELECT v.id, v.text FROM faq_variants v JOIN faq_entries e ON e.id = v.entry_id
         WHERE e.enabled = 1 AND (v.embedding IS NULL OR v.embedding_model IS NOT ?1)
         ORDER BY v.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![model, limit as i64], |r| {
        Ok((r.get::<_, i64>(0)? as usize, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn texts_of(c: &Connection, ids: &[usize]) -> Result<Vec<(usize, String)>> {
    let mut stmt = c.prepare_cached("SELECT text FROM faq_variants WHERE id = ?1")?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let text: String = stmt.query_row([*id as i64], |r| r.get(0))?;
        out.push((*id, text));
    }
    Ok(out)
}
