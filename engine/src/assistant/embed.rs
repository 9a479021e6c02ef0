//! Sentence embeddings on the seller's machine: fastembed over ONNX Runtime, loaded at run time
//! from the files the set-up installed (scripts/setup-model.sh), so nothing is downloaded by
//! the app unless the seller picks an online model.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use fastembed::{
    EmbeddingModel, InitOptionsUserDefined, Pooling, TextEmbedding, TextInitOptions,
    TokenizerFiles, UserDefinedEmbeddingModel,
};

/// The model the set-up installs: all-MiniLM-L6-v2, int8-quantised.
pub const BUILTIN_MODEL: &str = "all-MiniLM-L6-v2-int8";
/// Its embedding size (checked against the model when it loads).
const BUILTIN_DIM: usize = 384;
const BUILTIN_FILES: [&str; 5] = [
    "model.onnx",
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];

/// Models a seller can choose, with what they need. Online ones are fetched by fastembed from
/// Hugging Face the first time (the only network use of the assistant, and only on request).
pub const MODEL_CHOICES: &[(&str, &str)] = &[
    (
        BUILTIN_MODEL,
        "English, installed by the set-up; works offline (default)",
    ),
    (
        "paraphrase-multilingual-MiniLM-L12-v2",
        "50+ languages incl. Indonesian, Vietnamese, Thai; downloaded once (~120 MB)",
    ),
    (
        "multilingual-e5-small",
        "100 languages; downloaded once (~120 MB)",
    ),
];

/// A loaded embedding model. `embed` needs exclusive access to the ONNX session, so calls are
/// serialised; one sentence takes a few milliseconds.
pub struct Embedder {
    model: Mutex<TextEmbedding>,
    pub name: String,
    /// The name plus a fingerprint of the model file, stamped on every stored vector.
    pub tag: String,
    pub dim: usize,
    /// Text put before queries and passages (e5 models are trained with these prefixes).
    query_prefix: &'static str,
    passage_prefix: &'static str,
}

/// Loading a model parses a protobuf of tens of MB into many small blocks; glibc keeps the
/// freed ones, about 10 MB, unless asked to hand them back.
pub(super) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free heap pages to the OS.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Once the model is let go, ONNX Runtime's code is not needed until the next load, yet the
/// 20 MB of it that ran stay in memory. MADV_PAGEOUT asks the kernel to reclaim those pages now,
/// as it would under memory pressure: clean pages are dropped and read back from the file when
/// next used, written ones stay. Nothing changes for the program but where the bytes are.
pub(super) fn release_runtime_pages(library: &Path) {
    #[cfg(target_os = "linux")]
    {
        const MADV_PAGEOUT: i32 = 21;
        extern "C" {
            fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
        }
        let (Ok(library), Ok(maps)) = (
            library.canonicalize(),
            std::fs::read_to_string("/proc/self/maps"),
        ) else {
            return;
        };
        for line in maps.lines() {
            // start-end perms offset device inode path
            let fields: Vec<&str> = line.splitn(6, ' ').collect();
            let [range, perms, _, _, _, path] = fields[..] else {
                continue;
            };
            if perms.contains('w') || Path::new(path.trim_start()) != library {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue;
            };
            // SAFETY: a read-only mapping of the library, as listed by the kernel; PAGEOUT only
            // moves its pages out of memory and never changes what the program reads there.
            unsafe {
                madvise(start as *mut std::ffi::c_void, end - start, MADV_PAGEOUT);
            }
        }
    }
}

/// Where the set-up puts the model and the runtime.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub models_dir: PathBuf,
    pub onnxruntime: PathBuf,
}

impl ModelPaths {
    pub fn new(models_dir: &Path) -> ModelPaths {
        let onnxruntime = std::env::var_os("ORT_DYLIB_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| models_dir.join("onnxruntime").join(runtime_file_name()));
        ModelPaths {
            models_dir: models_dir.to_path_buf(),
            onnxruntime,
        }
    }
}

fn runtime_file_name() -> &'static str {
    if cfg!(target_os = "windows") {
        "onnxruntime.dll"
    } else if cfg!(target_os = "macos") {
        "libonnxruntime.dylib"
    } else {
        "libonnxruntime.so"
    }
}

/// Loads ONNX Runtime once per process; later calls return the first outcome.
fn load_runtime(path: &Path) -> Result<(), String> {
    static LOADED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    LOADED
        .get_or_init(|| {
            if !path.exists() {
                return Err(runtime_missing(path));
            }
            // ort checks the library's version and refuses one that is too old, instead of
            // crashing later inside it.
            ort::init_from(path)
                .map(drop)
                .map_err(|e| format!("cannot load ONNX Runtime: {e}"))
        })
        .clone()
}

/// The stamp of the built-in model's vectors: its name and a fingerprint of its weights.
fn builtin_tag(digest: &[u8]) -> String {
    format!("{BUILTIN_MODEL}@{}", crate::secrets::hex(&digest[..6]))
}

/// What can be known of a model without loading it: its tag and dimension when its files are
/// on disk (the built-in model), an error when they are missing, and None when only loading
/// can tell (an online model).
pub fn describe(name: &str, paths: &ModelPaths) -> Option<Result<(String, usize), String>> {
    if name != BUILTIN_MODEL {
        return None;
    }
    let dir = paths.models_dir.join("models").join(BUILTIN_MODEL);
    let found = || -> Result<(String, usize), String> {
        if !paths.onnxruntime.exists() {
            return Err(runtime_missing(&paths.onnxruntime));
        }
        for f in BUILTIN_FILES {
            if !dir.join(f).is_file() {
                return Err(file_missing(&dir.join(f), "not found"));
            }
        }
        // Streamed: the server may never load the model, so it should not hold its bytes.
        let onnx = dir.join("model.onnx");
        let mut hasher = Sha256::new();
        std::fs::File::open(&onnx)
            .and_then(|mut f| std::io::copy(&mut f, &mut hasher))
            .map_err(|e| file_missing(&onnx, &e.to_string()))?;
        Ok((builtin_tag(&hasher.finalize()), BUILTIN_DIM))
    };
    Some(found())
}

fn runtime_missing(path: &Path) -> String {
    format!(
        "ONNX Runtime is not installed at {} (run scripts/setup-model.sh)",
        path.display()
    )
}

fn file_missing(path: &Path, why: &str) -> String {
    format!(
        "model file {} is missing ({why}); run scripts/setup-model.sh",
        path.display()
    )
}

impl Embedder {
    /// Loads the named model. Never panics: any failure (missing files, wrong runtime, a model
    /// that cannot be fetched) comes back as a message the health report and UI show.
    /// `known_tag`: the built-in model's tag from `describe`, so its file is not hashed twice.
    pub fn load(
        name: &str,
        paths: &ModelPaths,
        known_tag: Option<String>,
    ) -> Result<Embedder, String> {
        load_runtime(&paths.onnxruntime)?;
        let name = name.to_string();
        let paths = paths.clone();
        std::panic::catch_unwind(move || Self::load_inner(&name, &paths, known_tag))
            .unwrap_or_else(|_| Err("the embedding model crashed while loading".into()))
    }

    fn load_inner(
        name: &str,
        paths: &ModelPaths,
        known_tag: Option<String>,
    ) -> Result<Embedder, String> {
        let (model, tag, query_prefix, passage_prefix) = match name {
            BUILTIN_MODEL => {
                let dir = paths.models_dir.join("models").join(BUILTIN_MODEL);
                let read = |f: &str| {
                    std::fs::read(dir.join(f))
                        .map_err(|e| file_missing(&dir.join(f), &e.to_string()))
                };
                let files = TokenizerFiles {
                    tokenizer_file: read("tokenizer.json")?,
                    config_file: read("config.json")?,
                    special_tokens_map_file: read("special_tokens_map.json")?,
                    tokenizer_config_file: read("tokenizer_config.json")?,
                };
                // MiniLM was trained with mean pooling; fastembed's default for a user model
                // is CLS, which gives much worse similarities.
                let onnx = read("model.onnx")?;
                let tag = known_tag.unwrap_or_else(|| builtin_tag(&Sha256::digest(&onnx)));
                let model = UserDefinedEmbeddingModel::new(onnx, files).with_pooling(Pooling::Mean);
                let options = InitOptionsUserDefined::default().with_max_length(256);
                let model = TextEmbedding::try_new_from_user_defined(model, options)
                    .map_err(|e| format!("cannot load {name}: {e}"))?;
                (model, tag, "", "")
            }
            "paraphrase-multilingual-MiniLM-L12-v2" | "multilingual-e5-small" => {
                let (which, q, p) = if name == "multilingual-e5-small" {
                    (EmbeddingModel::MultilingualE5Small, "query: ", "query: ")
                } else {
                    (EmbeddingModel::ParaphraseMLMiniLML12V2, "", "")
                };
                let options = TextInitOptions::new(which)
                    .with_cache_dir(paths.models_dir.join("models").join("online"))
                    .with_show_download_progress(false)
                    .with_max_length(256);
                let model = TextEmbedding::try_new(options).map_err(|e| {
                    format!("cannot load {name} (it is downloaded on first use): {e}")
                })?;
                (model, name.to_string(), q, p)
            }
            other => {
                return Err(format!(
                    "unknown embedding model {other:?}; choose one of {}",
                    MODEL_CHOICES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        };
        let embedder = Embedder {
            model: Mutex::new(model),
            name: name.to_string(),
            tag,
            dim: 0,
            query_prefix,
            passage_prefix,
        };
        let probe = embedder.embed_query("hello")?;
        release_freed_memory();
        Ok(Embedder {
            dim: probe.len(),
            ..embedder
        })
    }

    /// The embedding of a buyer's message (unit length).
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, String> {
        let text = format!("{}{}", self.query_prefix, text);
        let mut v = self.run(&[text])?;
        Ok(v.pop().unwrap_or_default())
    }

    /// Embeddings of FAQ variants (unit length), one sentence per run: the int8 model scales
    /// each run's activations as a whole, so a sentence embedded in a batch would come out
    /// slightly different (cosine 0.988) from the same sentence asked as a question. Batches
    /// bought nothing anyway: padded to their longest sentence, 32 took 7 ms a sentence here,
    /// one at a time 5 ms.
    pub fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let texts: Vec<String> = texts
            .iter()
            .map(|t| format!("{}{}", self.passage_prefix, t))
            .collect();
        self.run(&texts)
    }

    fn run(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, String> {
        let mut model = self.model.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = model
            .embed(texts, Some(1))
            .map_err(|e| format!("embedding failed: {e}"))?;
        // fastembed normalises, but a dot-product index must never see a vector that is off
        // unit length by rounding (hnsw_rs's DistDot asserts on it).
        for v in &mut out {
            normalize(v);
        }
        Ok(out)
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product of two unit vectors: their cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Vector bytes as stored in SQLite (little-endian f32).
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
