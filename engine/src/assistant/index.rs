//! The vector index over FAQ variant embeddings: an HNSW graph (hnsw_rs), persisted in the data
//! dir with a manifest, and checked against SQLite before it is trusted at start.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use hnsw_rs::prelude::{AnnT, DistDot, Hnsw, HnswIo, ReloadOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Neighbours kept per node. 16 gives recall@10 ≈ 0.998 at 100k MiniLM vectors with ef 64.
const MAX_CONNECTIONS: usize = 16;
/// hnsw_rs can only dump an index built with exactly 16 layers.
const LAYERS: usize = 16;
const EF_CONSTRUCTION: usize = 100;
/// Candidates explored per search; at least k.
const EF_SEARCH: usize = 64;
const BASENAME: &str = "faq";

/// What an index on disk claims to hold; compared with SQLite before the index is used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub model: String,
    pub dim: usize,
    pub count: usize,
    /// sha256 over the sorted variant ids.
    pub ids_digest: String,
    /// Sizes of the dump files: hnsw_rs ends the process on a short read, so a truncated
    /// file must be caught before it is handed to it.
    #[serde(default)]
    pub file_sizes: Vec<(String, u64)>,
}

pub struct VectorIndex {
    hnsw: Hnsw<'static, f32, DistDot>,
    ids: HashSet<usize>,
    pub dim: usize,
}

/// sha256 over sorted ids: a cheap identity of a set of variants.
pub fn ids_digest(ids: impl IntoIterator<Item = usize>) -> String {
    let mut ids: Vec<usize> = ids.into_iter().collect();
    ids.sort_unstable();
    let mut h = Sha256::new();
    for id in ids {
        h.update((id as u64).to_le_bytes());
    }
    crate::secrets::hex(&h.finalize())
}

impl VectorIndex {
    pub fn new(dim: usize, expected: usize) -> VectorIndex {
        let hnsw = Hnsw::new(
            MAX_CONNECTIONS,
            expected.max(1024),
            LAYERS,
            EF_CONSTRUCTION,
            DistDot,
        );
        VectorIndex {
            hnsw,
            ids: HashSet::new(),
            dim,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: usize) -> bool {
        self.ids.contains(&id)
    }

    pub fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.ids.iter().copied()
    }

    /// Adds unit vectors under their variant ids (ids already present are skipped: a variant's
    /// text, and so its vector, never changes). Large batches are inserted in parallel.
    pub fn insert(&mut self, items: &[(usize, Vec<f32>)]) {
        let fresh: Vec<(&Vec<f32>, usize)> = items
            .iter()
            .filter(|(id, v)| v.len() == self.dim && !self.ids.contains(id))
            .map(|(id, v)| (v, *id))
            .collect();
        if fresh.len() > 64 {
            self.hnsw.parallel_insert(&fresh);
        } else {
            for (v, id) in &fresh {
                self.hnsw.insert((v.as_slice(), *id));
            }
        }
        self.ids.extend(fresh.iter().map(|(_, id)| *id));
    }

    /// The `k` nearest variants that pass `keep`, as (variant id, cosine similarity), best first.
    ///
    /// hnsw_rs stops a search early only when it has no filter: with one, it walks on until no
    /// candidate is left, 1.4 ms at 10,000 variants instead of 0.2. So the search runs without
    /// one, for all `ef` nearest, and filters after; only when too few of those pass (a
    /// product's own entries among many others) does it take the filtered walk.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        keep: &dyn Fn(usize) -> bool,
    ) -> Vec<(usize, f32)> {
        if self.ids.is_empty() || query.len() != self.dim {
            return Vec::new();
        }
        let ef = EF_SEARCH.max(k);
        let nearest = self.hnsw.search(query, ef, ef);
        let complete = nearest.len() < ef;
        let kept: Vec<(usize, f32)> = nearest
            .into_iter()
            .filter(|n| keep(n.d_id))
            .take(k)
            .map(|n| (n.d_id, 1.0 - n.distance))
            .collect();
        if kept.len() == k || complete {
            return kept;
        }
        let filter = |id: &usize| keep(*id);
        self.hnsw
            .search_filter(query, k, ef, Some(&filter))
            .into_iter()
            .map(|n| (n.d_id, 1.0 - n.distance))
            .collect()
    }

    /// Writes the index and its manifest to `dir`, replacing what was there only once the new
    /// files are complete, so a crash mid-write leaves the old index (or none), never a mix.
    pub fn save(&self, dir: &Path, model: &str) -> std::io::Result<Manifest> {
        let manifest = Manifest {
            format: 1,
            model: model.to_string(),
            dim: self.dim,
            count: self.ids.len(),
            ids_digest: ids_digest(self.ids.iter().copied()),
            file_sizes: Vec::new(),
        };
        let tmp = sibling(dir, "tmp");
        let old = sibling(dir, "old");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        if !self.ids.is_empty() {
            self.hnsw
                .file_dump(&tmp, BASENAME)
                .map_err(|e| std::io::Error::other(format!("cannot write the index: {e}")))?;
        }
        let mut manifest = manifest;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            manifest.file_sizes.push((name, entry.metadata()?.len()));
        }
        manifest.file_sizes.sort();
        let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        std::fs::write(tmp.join("manifest.json"), json)?;
        let _ = std::fs::remove_dir_all(&old);
        if dir.exists() {
            std::fs::rename(dir, &old)?;
        }
        std::fs::rename(&tmp, dir)?;
        let _ = std::fs::remove_dir_all(&old);
        Ok(manifest)
    }

    /// Reads an index written by `save`. The caller still has to check the manifest against
    /// SQLite; this only checks that the files agree with their own manifest.
    pub fn load(dir: &Path) -> Result<(VectorIndex, Manifest), String> {
        let text = std::fs::read(dir.join("manifest.json"))
            .map_err(|e| format!("no index manifest: {e}"))?;
        let manifest: Manifest =
            serde_json::from_slice(&text).map_err(|e| format!("index manifest is invalid: {e}"))?;
        if manifest.format != 1 {
            return Err(format!("index format {} is not known", manifest.format));
        }
        if manifest.count == 0 {
            return Ok((VectorIndex::new(manifest.dim, 0), manifest));
        }
        if manifest.file_sizes.is_empty() {
            return Err("index manifest lists no files".into());
        }
        for (name, size) in &manifest.file_sizes {
            let actual = std::fs::metadata(dir.join(name)).map(|m| m.len()).ok();
            if actual != Some(*size) {
                return Err(format!(
                    "index file {name} is missing or has the wrong size"
                ));
            }
        }
        // The loaded graph borrows its loader for as long as it lives; the loader is small and
        // an index is loaded once per start, so it is kept for the life of the process.
        let hnsw: Hnsw<'static, f32, DistDot> = std::panic::catch_unwind(|| {
            // The vectors stay in the data file, mapped, rather than copied into memory at
            // start: the graph is all that has to be read (1.1 s → see README for 100k).
            let options = ReloadOptions::default().set_mmap(true);
            let loader: &'static mut HnswIo =
                Box::leak(Box::new(HnswIo::new_with_options(dir, BASENAME, options)));
            loader.load_hnsw::<f32, DistDot>()
        })
        .map_err(|_| "index files are corrupt".to_string())?
        .map_err(|e| format!("cannot read the index: {e}"))?;
        let mut ids = HashSet::with_capacity(manifest.count);
        let mut dim_ok = true;
        for point in hnsw.get_point_indexation() {
            ids.insert(point.get_origin_id());
            dim_ok &= point.get_v().len() == manifest.dim;
        }
        if !dim_ok
            || ids.len() != manifest.count
            || ids_digest(ids.iter().copied()) != manifest.ids_digest
        {
            return Err("index files do not match their manifest".into());
        }
        let mut hnsw = hnsw;
        hnsw.set_searching_mode(true);
        Ok((
            VectorIndex {
                hnsw,
                ids,
                dim: manifest.dim,
            },
            manifest,
        ))
    }

    /// The stored vector of some variants, for spot checks against SQLite.
    pub fn vectors_of(&self, wanted: &HashSet<usize>) -> Vec<(usize, Vec<f32>)> {
        // hnsw_rs's point iterator panics on a graph with no entry point.
        if self.ids.is_empty() {
            return Vec::new();
        }
        self.hnsw
            .get_point_indexation()
            .into_iter()
            .filter(|p| wanted.contains(&p.get_origin_id()))
            .map(|p| (p.get_origin_id(), p.get_v().to_vec()))
            .collect()
    }
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, dim: usize) -> Vec<f32> {
        // A small deterministic generator: clustered enough for HNSW, no rand dependency needed.
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut v: Vec<f32> = (0..dim)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        crate::assistant::embed::normalize(&mut v);
        v
    }

    #[test]
    fn finds_inserted_vectors_and_respects_the_filter() {
        let mut index = VectorIndex::new(16, 100);
        let items: Vec<(usize, Vec<f32>)> = (1..=200).map(|i| (i, unit(i as u64, 16))).collect();
        index.insert(&items);
        assert_eq!(index.len(), 200);
        let hits = index.search(&items[41].1, 3, &|_| true);
        assert_eq!(hits[0].0, 42);
        assert!((hits[0].1 - 1.0).abs() < 1e-4);
        let hits = index.search(&items[41].1, 3, &|id| id != 42);
        assert!(hits.iter().all(|(id, _)| *id != 42));
    }

    /// A filter that few variants pass (one product's entries among many) still gets the
    /// nearest of those, not fewer: the search falls back to hnsw_rs's filtered walk.
    #[test]
    fn a_narrow_filter_still_gets_its_nearest() {
        let mut index = VectorIndex::new(16, 2000);
        let items: Vec<(usize, Vec<f32>)> = (1..=2000).map(|i| (i, unit(i as u64, 16))).collect();
        index.insert(&items);
        let few = |id: usize| id % 100 == 7;
        let query = &items[1234].1;
        let hits = index.search(query, 5, &few);
        assert_eq!(hits.len(), 5, "{hits:?}");
        assert!(hits.iter().all(|(id, _)| few(*id)), "{hits:?}");
        let mut exact: Vec<(usize, f32)> = items
            .iter()
            .filter(|(id, _)| few(*id))
            .map(|(id, v)| (*id, crate::assistant::embed::cosine(query, v)))
            .collect();
        exact.sort_by(|a, b| b.1.total_cmp(&a.1));
        assert_eq!(hits[0].0, exact[0].0, "{hits:?} vs {:?}", &exact[..5]);
        // Fewer pass than asked for: all of them come back.
        let one = |id: usize| id == 1500;
        assert_eq!(
            index
                .search(query, 5, &one)
                .iter()
                .map(|h| h.0)
                .collect::<Vec<_>>(),
            [1500]
        );
    }

    #[test]
    fn an_empty_index_saves_loads_and_answers_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faq-index");
        VectorIndex::new(16, 0).save(&path, "m").unwrap();
        let (loaded, manifest) = VectorIndex::load(&path).unwrap();
        assert_eq!((loaded.len(), manifest.dim), (0, 16));
        assert!(loaded.vectors_of(&HashSet::from([1])).is_empty());
        assert!(loaded.search(&unit(1, 16), 5, &|_| true).is_empty());
    }

    #[test]
    fn survives_save_and_load_and_refuses_tampered_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("faq-index");
        let mut index = VectorIndex::new(16, 100);
        let items: Vec<(usize, Vec<f32>)> =
            (1..=300).map(|i| (i * 3, unit(i as u64, 16))).collect();
        index.insert(&items);
        let manifest = index.save(&path, "m").unwrap();
        let (loaded, m2) = VectorIndex::load(&path).unwrap();
        assert_eq!(manifest, m2);
        assert_eq!(loaded.len(), 300);
        assert_eq!(loaded.search(&items[10].1, 1, &|_| true)[0].0, items[10].0);

        let mut bad = manifest.clone();
        bad.count = 299;
        std::fs::write(
            path.join("manifest.json"),
            serde_json::to_vec(&bad).unwrap(),
        )
        .unwrap();
        assert!(VectorIndex::load(&path).is_err());
        std::fs::write(path.join("manifest.json"), b"{not json").unwrap();
        assert!(VectorIndex::load(&path).is_err());
    }
}
