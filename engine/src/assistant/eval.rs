//! `auto eval-faq`: answer quality of the FAQ on a labelled intent set (banking77). Builds an
//! FAQ from K questions per intent, leaves some intents out (their questions should be
//! declined), asks every test question through the real search and policy, and counts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use super::faq::{self, NewFaq};
use super::knowledge::Knowledge;
use super::policy::{self, Evidence};
use crate::store::Db;

pub struct EvalOptions<'a> {
    pub train: &'a Path,
    pub test: &'a Path,
    pub shots: usize,
    /// Every `holdout_every`-th intent (in name order) is left out of the FAQ; 0 = none.
    pub holdout_every: usize,
    pub threshold: Option<f32>,
    pub models_dir: &'a Path,
    pub model: &'a str,
    /// Where to write one line of features per question (for calibration), if anywhere.
    pub dump: Option<&'a Path>,
    /// Also measure declining with every other set of left-out intents (see `folds`).
    pub folds: bool,
}

/// A `text,category` CSV (banking77's format) as (question, intent) pairs.
pub(crate) fn read_labelled(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for row in r.records() {
        let row = row?;
        if row.len() >= 2 {
            // A few questions carry tabs or line breaks, which FAQ variants may not.
            let text = row[0].split_whitespace().collect::<Vec<_>>().join(" ");
            out.push((text, row[1].to_string()));
        }
    }
    Ok(out)
}

/// One question asked, and what came of it.
struct Asked {
    set: &'static str,
    gold: String,
    in_faq: bool,
    top: Option<String>,
    evidence: Evidence,
    confidence: f32,
    top_cosine: f32,
    micros: u64,
}

impl Asked {
    fn right(&self) -> bool {
        self.in_faq && self.top.as_deref() == Some(self.gold.as_str())
    }
}

#[derive(Default)]
struct Tally {
    right: usize,
    wrong: usize,
    declined: usize,
    top1_right: usize,
}

struct Data {
    by_intent: BTreeMap<String, Vec<String>>,
    test: Vec<(String, String)>,
}

pub fn run(opts: &EvalOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let train = read_labelled(opts.train)?;
    let test = read_labelled(opts.test)?;
    let mut by_intent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (text, intent) in &train {
        by_intent
            .entry(intent.clone())
            .or_default()
            .push(text.clone());
    }
    let data = Data { by_intent, test };
    // 1. Some intents left out: the dev split calibrates the threshold (with questions that
    //    have no entry among them, as in a real shop), the test split measures declining.
    // The main run leaves out the intents at positions every − 1, 2·every − 1, … in name order.
    let last = opts.holdout_every.saturating_sub(1);
    let held_out = ask_all(opts, &data, opts.holdout_every, last, out)?;
    if let Some(path) = opts.dump {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(f, "set,in_faq,right,top,second,cosine,agree,confidence")?;
        for a in &held_out {
            writeln!(
                f,
                "{},{},{},{:.5},{:.5},{:.5},{},{:.5}",
                a.set,
                a.in_faq as u8,
                a.right() as u8,
                a.evidence.top,
                a.evidence.second,
                a.top_cosine,
                a.evidence.fulltext_agrees as u8,
                a.confidence
            )?;
        }
    }
    let threshold = match opts.threshold {
        Some(t) => t,
        None => calibrate(held_out.iter().filter(|a| a.set == "dev"), 0.96),
    };
    writeln!(
        out,
        "threshold {threshold:.3} ({}); the built-in default is {:.3}",
        if opts.threshold.is_some() {
            "given"
        } else {
            "calibrated on the dev split for 96% precision"
        },
        policy::DEFAULT_THRESHOLD
    )?;
    let (a, b, c) = fit_confidence(held_out.iter().filter(|a| a.set == "dev"));
    writeln!(
        out,
        "confidence weights refitted on the dev split: sigmoid({a:.2}*top + {b:.2}*(top - second) + {c:.2}) \
         (policy.rs uses the fit from K=5)"
    )?;
    report(&held_out, "dev", threshold, out)?;
    report(&held_out, "test", threshold, out)?;
    // 2. Every intent in the FAQ: how many in-scope questions get a right automatic answer.
    if opts.holdout_every > 0 {
        let all_in = ask_all(opts, &data, 0, 0, out)?;
        report(&all_in, "test", threshold, out)?;
        sweep(&all_in, &held_out, out)?;
        if opts.folds {
            folds(opts, &data, &all_in, out)?;
        }
    }
    Ok(())
}

/// For each set of left-out intents (offset 0 … every − 1): the lowest threshold (0.01 steps)
/// that declines ≥ 95% of that set's test questions, and how many in-scope test questions are
/// answered right there, and how precisely, with every intent in the FAQ. The threshold is
/// read off the test split, so this is what the best single threshold could do for each set.
fn folds(
    opts: &EvalOptions,
    data: &Data,
    all_in: &[Asked],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "\nfolds (test split): | left out (first of them) | declined at {:.2} | threshold declining >= 95% | in scope answered right there | precision there |",
        policy::DEFAULT_THRESHOLD
    )?;
    let test: Vec<&Asked> = all_in.iter().filter(|a| a.set == "test").collect();
    let mut rights = Vec::new();
    for offset in 0..opts.holdout_every {
        let held = ask_all(opts, data, opts.holdout_every, offset, &mut std::io::sink())?;
        let no_entry: Vec<&Asked> = held
            .iter()
            .filter(|a| a.set == "test" && !a.in_faq)
            .collect();
        let declined_at = |t: f32| {
            no_entry.iter().filter(|a| a.confidence < t).count() as f64
                / no_entry.len().max(1) as f64
        };
        let t95 = (50..=100)
            .map(|i| i as f32 / 100.0)
            .find(|t| declined_at(*t) >= 0.95)
            .unwrap_or(1.0);
        let answered: Vec<&&Asked> = test.iter().filter(|a| a.confidence >= t95).collect();
        let right = answered.iter().filter(|a| a.right()).count();
        let share = right as f64 / test.len().max(1) as f64;
        rights.push(share);
        let first = no_entry.first().map_or("", |a| a.gold.as_str());
        writeln!(
            out,
            "| {offset}: {} intents ({first}, …) | {:.1}% | {t95:.2} | {:.1}% | {:.1}% |",
            no_entry
                .iter()
                .map(|a| a.gold.as_str())
                .collect::<BTreeSet<_>>()
                .len(),
            100.0 * declined_at(policy::DEFAULT_THRESHOLD),
            100.0 * share,
            100.0 * right as f64 / answered.len().max(1) as f64
        )?;
    }
    let mean = rights.iter().sum::<f64>() / rights.len().max(1) as f64;
    let (lo, hi) = rights
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
    writeln!(
        out,
        "answered right at the threshold declining >= 95%: mean {:.1}%, from {:.1}% to {:.1}% over {} folds",
        100.0 * mean,
        100.0 * lo,
        100.0 * hi,
        rights.len()
    )?;
    Ok(())
}

/// The trade-off at other thresholds, on the test split: right answers and precision with
/// every intent in the FAQ, and how many questions without an entry are declined.
fn sweep(all_in: &[Asked], held_out: &[Asked], out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "\nthreshold sweep (test split): | threshold | in scope answered right | precision (all intents in FAQ) | no-entry questions declined | precision (1 in 7 intents left out) |"
    )?;
    for t in [0.5f32, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95] {
        let test = |a: &&Asked| a.set == "test";
        let (mut right, mut answered, mut n) = (0, 0, 0);
        for a in all_in.iter().filter(test) {
            n += 1;
            if a.confidence >= t {
                answered += 1;
                right += a.right() as usize;
            }
        }
        let (mut out_declined, mut out_n, mut h_right, mut h_answered) = (0, 0, 0, 0);
        for a in held_out.iter().filter(test) {
            if !a.in_faq {
                out_n += 1;
                out_declined += (a.confidence < t) as usize;
            }
            if a.confidence >= t {
                h_answered += 1;
                h_right += a.right() as usize;
            }
        }
        let pct = |x: usize, d: usize| 100.0 * x as f64 / d.max(1) as f64;
        writeln!(
            out,
            "| {t:.2} | {:.1}% | {:.1}% | {:.1}% | {:.1}% |",
            pct(right, n),
            pct(right, answered),
            pct(out_declined, out_n),
            pct(h_right, h_answered)
        )?;
    }
    Ok(())
}

fn ask_all(
    opts: &EvalOptions,
    data: &Data,
    holdout_every: usize,
    // Which of the `holdout_every` positions is left out (0 … holdout_every − 1).
    offset: usize,
    out: &mut dyn Write,
) -> anyhow::Result<Vec<Asked>> {
    let intents: Vec<&String> = data.by_intent.keys().collect();
    let held_out: BTreeSet<String> = if holdout_every > 0 {
        intents
            .iter()
            .enumerate()
            .filter(|(i, _)| i % holdout_every == offset)
            .map(|(_, n)| (*n).clone())
            .collect()
    } else {
        BTreeSet::new()
    };
    let dir = tempfile::Builder::new().prefix("auto-eval-").tempdir()?;
    let db = Db::open(&dir.path().join("auto.db"))?;
    // The answer is the intent name, so a right answer is easy to tell.
    db.write(|tx| {
        for (intent, questions) in &data.by_intent {
            if held_out.contains(intent) {
                continue;
            }
            let shots: Vec<String> = questions.iter().take(opts.shots).cloned().collect();
            if shots.is_empty() {
                continue;
            }
            faq::create(
                tx,
                NewFaq {
                    question: shots[0].clone(),
                    variants: shots[1..].to_vec(),
                    answer: intent.clone(),
                    product_id: None,
                    language: "en".into(),
                    translations: Default::default(),
                    tags: vec![],
                    enabled: true,
                },
            )?;
        }
        Ok(())
    })?;
    // Calibration questions: train questions that are not shots, up to 20 per intent.
    let mut dev: Vec<(String, String)> = Vec::new();
    for (intent, questions) in &data.by_intent {
        for q in questions.iter().skip(opts.shots).take(20) {
            dev.push((q.clone(), intent.clone()));
        }
    }

    let started = Instant::now();
    let knowledge = Knowledge::open(
        &db,
        dir.path(),
        opts.models_dir,
        opts.model,
        std::time::Duration::ZERO,
    )?;
    let loaded_ms = started.elapsed().as_millis();
    let started = Instant::now();
    knowledge.index_all(&db, |_, _| {})?;
    let status = knowledge.status();
    writeln!(
        out,
        "\n== FAQ: {} intents in, {} left out; {} questions each = {} variants; model {} ({:?}), loaded in {} ms, embedded in {} ms",
        intents.len() - held_out.len(),
        held_out.len(),
        opts.shots,
        status.variants,
        status.model,
        status.mode,
        loaded_ms,
        started.elapsed().as_millis()
    )?;
    if let Some(e) = &status.model_error {
        writeln!(out, "model unavailable: {e}")?;
    }
    let answers: BTreeMap<i64, String> = db.read(|c| {
        let mut stmt = c.prepare("SELECT id, answer FROM faq_entries")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    })?;
    let mut asked = Vec::with_capacity(dev.len() + data.test.len());
    db.read(|c| {
        for (set, questions) in [("dev", &dev), ("test", &data.test)] {
            for (q, gold) in questions.iter() {
                let t = Instant::now();
                let outcome = knowledge.search(c, q, None)?;
                let evidence = Evidence::of(&outcome.hits);
                let confidence = policy::confidence(&evidence);
                let micros = t.elapsed().as_micros() as u64;
                asked.push(Asked {
                    set,
                    gold: gold.clone(),
                    in_faq: !held_out.contains(gold),
                    top: outcome
                        .hits
                        .first()
                        .and_then(|h| answers.get(&h.faq_id).cloned()),
                    top_cosine: outcome.hits.first().map_or(0.0, |h| h.cosine),
                    evidence,
                    confidence,
                    micros,
                });
            }
        }
        Ok(())
    })?;
    Ok(asked)
}

fn report(asked: &[Asked], set: &str, threshold: f32, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut inside = Tally::default();
    let mut outside = Tally::default();
    let mut micros: Vec<u64> = Vec::new();
    for a in asked.iter().filter(|a| a.set == set) {
        micros.push(a.micros);
        let t = if a.in_faq { &mut inside } else { &mut outside };
        t.top1_right += a.right() as usize;
        if a.confidence >= threshold {
            if a.right() {
                t.right += 1
            } else {
                t.wrong += 1
            }
        } else {
            t.declined += 1
        }
    }
    micros.sort_unstable();
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    let n_in = inside.right + inside.wrong + inside.declined;
    let n_out = outside.right + outside.wrong + outside.declined;
    let answered = inside.right + inside.wrong + outside.wrong;
    writeln!(
        out,
        "[{set}] {n_in} questions whose intent is in the FAQ, {n_out} whose intent is not"
    )?;
    writeln!(
        out,
        "  in scope:  answered right {} ({:.1}%), answered wrong {} ({:.1}%), declined {} ({:.1}%); top-1 accuracy {:.1}%",
        inside.right,
        pct(inside.right, n_in),
        inside.wrong,
        pct(inside.wrong, n_in),
        inside.declined,
        pct(inside.declined, n_in),
        pct(inside.top1_right, n_in)
    )?;
    if n_out > 0 {
        writeln!(
            out,
            "  no entry:  declined {} ({:.1}%), answered (wrongly) {}",
            outside.declined,
            pct(outside.declined, n_out),
            outside.wrong
        )?;
    }
    writeln!(
        out,
        "  precision of automatic answers: {:.1}% ({} of {}){}",
        pct(inside.right, answered),
        inside.right,
        answered,
        if n_out > 0 {
            format!(
                "; in-scope questions only {:.1}%",
                pct(inside.right, inside.right + inside.wrong)
            )
        } else {
            String::new()
        }
    )?;
    if !micros.is_empty() {
        let q = |p: f64| micros[((micros.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0;
        writeln!(
            out,
            "  latency per question (embed + search + policy): p50 {:.2} ms, p99 {:.2} ms",
            q(0.5),
            q(0.99)
        )?;
    }
    Ok(())
}

/// A two-feature logistic regression (top score, lead over the runner-up) → right or not, by
/// gradient descent on standardised features; returns the weights in the raw units that
/// `policy::confidence` uses. This is how its constants were obtained.
fn fit_confidence<'a>(asked: impl Iterator<Item = &'a Asked>) -> (f32, f32, f32) {
    let rows: Vec<([f64; 2], f64)> = asked
        .map(|a| {
            let top = a.evidence.top as f64;
            (
                [top, top - a.evidence.second as f64],
                a.right() as u8 as f64,
            )
        })
        .collect();
    if rows.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let n = rows.len() as f64;
    let mean = |i: usize| rows.iter().map(|r| r.0[i]).sum::<f64>() / n;
    let mu = [mean(0), mean(1)];
    let sd = [0, 1].map(|i| {
        (rows.iter().map(|r| (r.0[i] - mu[i]).powi(2)).sum::<f64>() / n)
            .sqrt()
            .max(1e-9)
    });
    let (mut w, mut b) = ([0.0f64; 2], 0.0f64);
    for _ in 0..4000 {
        let (mut gw, mut gb) = ([0.0f64; 2], 0.0f64);
        for (x, y) in &rows {
            let z: Vec<f64> = (0..2).map(|i| (x[i] - mu[i]) / sd[i]).collect();
            let p = 1.0 / (1.0 + (-(w[0] * z[0] + w[1] * z[1] + b)).exp());
            for i in 0..2 {
                gw[i] += (p - y) * z[i];
            }
            gb += p - y;
        }
        for i in 0..2 {
            w[i] -= 0.5 * (gw[i] / n + 1e-3 * w[i]);
        }
        b -= 0.5 * gb / n;
    }
    let a = [w[0] / sd[0], w[1] / sd[1]];
    let c = b - w[0] * mu[0] / sd[0] - w[1] * mu[1] / sd[1];
    (a[0] as f32, a[1] as f32, c as f32)
}

/// The lowest threshold at which the answers given (all questions, in scope or not) are right
/// at least `precision` of the time; 1.0 when none is.
fn calibrate<'a>(asked: impl Iterator<Item = &'a Asked>, precision: f64) -> f32 {
    let mut scored: Vec<(f32, bool)> = asked.map(|a| (a.confidence, a.right())).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut right, mut total) = (0usize, 0usize);
    let mut best = 1.0;
    for (i, (c, ok)) in scored.iter().enumerate() {
        total += 1;
        right += *ok as usize;
        // Only cut between distinct scores.
        let next_differs = scored.get(i + 1).is_none_or(|n| n.0 < *c);
        if next_differs && total >= 20 && right as f64 / total as f64 >= precision {
            best = *c;
        }
    }
    best
}
