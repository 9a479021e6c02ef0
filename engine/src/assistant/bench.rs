//! `auto bench-faq`: speed of the assistant's search, in-process. Prints figures; asserts
//! nothing.
//!
//! 1. One answer from the FAQ (embed + hybrid search + policy) with an FAQ of N variants made
//!    of real questions (banking77 train), asked the banking77 test questions.
//! 2. HNSW recall@10 against exact search, and build / save / reload times, at a larger size.
//!    The vectors are the real embeddings from step 1 plus small random perturbations, which
//!    keeps the clustered shape of real sentence embeddings (uniform random vectors make
//!    HNSW look far worse than it is on text).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

use super::embed;
use super::faq::{self, NewFaq};
use super::index::VectorIndex;
use super::knowledge::Knowledge;
use super::policy::{self, Evidence};
use crate::store::Db;

#[derive(clap::Args, Debug, Clone)]
pub struct FaqBenchArgs {
    /// A text,category CSV whose questions become FAQ variants (banking77 train.csv).
    #[arg(long)]
    pub train: std::path::PathBuf,
    /// A text,category CSV of questions to ask (banking77 test.csv).
    #[arg(long)]
    pub test: std::path::PathBuf,
    /// FAQ variants for the latency run.
    #[arg(long, default_value_t = 10_000)]
    pub variants: usize,
    /// Vectors for the recall and reload run.
    #[arg(long, default_value_t = 100_000)]
    pub vectors: usize,
    /// Queries for recall.
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn run(args: &FaqBenchArgs, models_dir: &Path, model: &str) -> anyhow::Result<()> {
    let train = super::eval::read_labelled(&args.train)?;
    let test = super::eval::read_labelled(&args.test)?;
    // Entries of 3 variants each (same intent), up to the requested number of variants.
    let mut by_intent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (t, c) in train.iter().take(args.variants) {
        by_intent.entry(c).or_default().push(t);
    }
    let dir = tempfile::Builder::new()
        .prefix("auto-bench-faq-")
        .tempdir()?;
    let db = Db::open(&dir.path().join("auto.db"))?;
    let mut n_variants = 0;
    let mut intent_of: std::collections::HashMap<i64, &str> = std::collections::HashMap::new();
    db.write(|tx| {
        for (intent, qs) in &by_intent {
            for chunk in qs.chunks(3) {
                let (id, _) = faq::create(
                    tx,
                    NewFaq {
                        question: chunk[0].to_string(),
                        variants: chunk[1..].iter().map(|s| s.to_string()).collect(),
                        answer: intent.to_string(),
                        product_id: None,
                        language: "en".into(),
                        translations: Default::default(),
                        tags: vec![],
                        enabled: true,
                    },
                )?;
                intent_of.insert(id, intent);
                n_variants += chunk.len();
            }
        }
        Ok(())
    })?;
    let started = Instant::now();
    let knowledge = Knowledge::open(&db, dir.path(), models_dir, model, Duration::ZERO)?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(e) = knowledge.status().model_error {
        anyhow::bail!("the embedding model is not available: {e}");
    }
    let started = Instant::now();
    knowledge.index_all(&db, |_, _| {})?;
    let embed_s = started.elapsed().as_secs_f64();
    println!(
        "FAQ of {} variants ({} entries); model loaded in {load_ms:.0} ms; embedded and indexed in {embed_s:.1} s ({:.0} variants/s)",
        n_variants,
        by_intent.values().map(|q| q.len().div_ceil(3)).sum::<usize>(),
        n_variants as f64 / embed_s
    );

    // 1. Latency of one answer, in-process.
    // The same model instance as the search: a second ONNX session would fight the first for
    // the two cores (its idle threads spin) and slow both down.
    let embedder = knowledge
        .model
        .get()
        .ok_or_else(|| anyhow::anyhow!("no embedding model"))?;
    let mut embed_ms = Vec::new();
    let mut words_ms = Vec::new();
    let mut answer_ms = Vec::new();
    let mut right = 0;
    db.read(|c| {
        // Warm up caches and the ONNX session.
        for (q, _) in test.iter().take(20) {
            knowledge.search(c, q, None)?;
        }
        for (q, intent) in &test {
            let t = Instant::now();
            let _ = embedder.embed_query(q);
            embed_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let _ = knowledge.fulltext(c, q, &[], &|_| true)?;
            words_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let found = knowledge.search(c, q, None)?;
            let _ = policy::confidence(&Evidence::of(&found.hits));
            answer_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if found.hits.first().and_then(|h| intent_of.get(&h.faq_id)) == Some(&intent.as_str()) {
                right += 1;
            }
        }
        Ok(())
    })?;
    embed_ms.sort_by(f64::total_cmp);
    words_ms.sort_by(f64::total_cmp);
    answer_ms.sort_by(f64::total_cmp);
    println!(
        "one answer (embed + HNSW + FTS5 + fusion + policy), {} questions: p50 {:.2} ms, p99 {:.2} ms (embedding alone: p50 {:.2} ms, p99 {:.2} ms; full text alone: p50 {:.2} ms, p99 {:.2} ms)",
        answer_ms.len(),
        percentile(&answer_ms, 0.5),
        percentile(&answer_ms, 0.99),
        percentile(&embed_ms, 0.5),
        percentile(&embed_ms, 0.99),
        percentile(&words_ms, 0.5),
        percentile(&words_ms, 0.99)
    );
    // Every intent is in this FAQ, so the best entry is either right or wrong: a check that
    // speed was not bought with worse answers.
    println!(
        "top-1 accuracy at this size: {:.1}% of {} questions",
        100.0 * right as f64 / test.len().max(1) as f64,
        test.len()
    );
    if args.vectors == 0 {
        return Ok(());
    }

    // 2. Recall and reload at scale.
    let base: Vec<Vec<f32>> = db.read(|c| {
        let mut stmt =
            c.prepare("SELECT embedding FROM faq_variants WHERE embedding IS NOT NULL")?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(embed::from_blob(&r?));
        }
        Ok(out)
    })?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let noisy = |rng: &mut rand::rngs::StdRng, v: &[f32], sigma: f32| {
        let mut w: Vec<f32> = v
            .iter()
            .map(|x| x + sigma * (rng.gen::<f32>() - 0.5))
            .collect();
        embed::normalize(&mut w);
        w
    };
    let vectors: Vec<(usize, Vec<f32>)> = (0..args.vectors)
        .map(|i| {
            let v = &base[i % base.len()];
            (
                i + 1,
                if i < base.len() {
                    v.clone()
                } else {
                    noisy(&mut rng, v, 0.12)
                },
            )
        })
        .collect();
    let queries: Vec<Vec<f32>> = (0..args.queries)
        .map(|i| noisy(&mut rng, &base[(i * 7919) % base.len()], 0.15))
        .collect();
    let dim = base[0].len();
    let started = Instant::now();
    let mut index = VectorIndex::new(dim, vectors.len());
    for chunk in vectors.chunks(10_000) {
        index.insert(chunk);
    }
    let build_s = started.elapsed().as_secs_f64();
    let mut hits = 0usize;
    let mut search_ms = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let got: HashSet<usize> = index
            .search(q, 10, &|_| true)
            .into_iter()
            .map(|h| h.0)
            .collect();
        search_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let mut exact: Vec<(f32, usize)> = vectors
            .iter()
            .map(|(id, v)| (embed::cosine(q, v), *id))
            .collect();
        exact.select_nth_unstable_by(10, |a, b| b.0.total_cmp(&a.0));
        hits += exact[..10]
            .iter()
            .filter(|(_, id)| got.contains(id))
            .count();
    }
    search_ms.sort_by(f64::total_cmp);
    println!(
        "HNSW over {} vectors: built in {build_s:.1} s; recall@10 {:.4} over {} queries; search p50 {:.2} ms",
        vectors.len(),
        hits as f64 / (10 * queries.len()) as f64,
        queries.len(),
        percentile(&search_ms, 0.5)
    );
    let path = dir.path().join("bench-index");
    let started = Instant::now();
    index.save(&path, model)?;
    let save_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(index);
    let mut reload_ms = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let (loaded, _) = VectorIndex::load(&path).map_err(anyhow::Error::msg)?;
        reload_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(loaded.len() == vectors.len(), "reloaded index lost vectors");
    }
    reload_ms.sort_by(f64::total_cmp);
    println!(
        "index saved in {save_ms:.0} ms; reloaded (and checked against its manifest) in {:.0} ms (median of 3)",
        reload_ms[1]
    );
    Ok(())
}
