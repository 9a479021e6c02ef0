//! The embedding model as the assistant holds it: loaded when there is something to embed, and
//! let go after a quiet spell. Loaded, the model and ONNX Runtime's working memory are about
//! 60 MB of a server that is otherwise about 25 MB; AUTO runs all night on the seller's
//! machine, mostly waiting, so it gives that back while no buyer is asking. Loading again
//! takes about 0.3 s, paid by the first question after the pause.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::embed::{self, Embedder, ModelPaths};
use crate::store::now_ms;

pub struct Model {
    paths: ModelPaths,
    state: Mutex<State>,
    /// Held while loading or switching, so that callers arriving meanwhile wait for the one
    /// load; `state` is not held during it, so status reads never wait for a load.
    loading: Mutex<()>,
    last_used_ms: AtomicI64,
    /// How long the model stays loaded after its last use; zero keeps it for good.
    keep_for: Duration,
}

struct State {
    name: String,
    /// Stamped on stored vectors: known before loading for the built-in model (from its file),
    /// else learnt at load.
    tag: String,
    dim: usize,
    loaded: Option<Arc<Embedder>>,
    /// Why the model cannot be used; None while it can.
    error: Option<String>,
}

impl Model {
    /// Notes the named model without loading it when its files tell enough, else loads it now.
    pub fn open(name: &str, paths: &ModelPaths, keep_for: Duration) -> Model {
        let model = Model {
            paths: paths.clone(),
            state: Mutex::new(State {
                name: name.to_string(),
                tag: name.to_string(),
                dim: 0,
                loaded: None,
                error: None,
            }),
            loading: Mutex::new(()),
            last_used_ms: AtomicI64::new(now_ms()),
            keep_for,
        };
        let described = embed::describe(name, paths);
        match described {
            Some(Ok((tag, dim))) => {
                let mut st = model.lock();
                (st.tag, st.dim) = (tag, dim);
            }
            Some(Err(e)) => {
                tracing::warn!("assistant works on full-text search only: {e}");
                model.lock().error = Some(e);
            }
            None => {
                model.get();
            }
        }
        model
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Loads the model into the state (called with the `loading` lock held, not the state lock).
    fn load(&self, name: &str, known_tag: Option<String>) {
        let started = std::time::Instant::now();
        let loaded = Embedder::load(name, &self.paths, known_tag);
        let mut st = self.lock();
        // Switched to another model meanwhile: this load is stale.
        if st.name != name {
            return;
        }
        match loaded {
            Ok(e) => {
                tracing::info!(
                    model = st.name,
                    dim = e.dim,
                    ms = started.elapsed().as_millis() as u64,
                    "embedding model loaded"
                );
                if st.dim != 0 && st.dim != e.dim {
                    let msg = format!(
                        "{} gives {}-dimensional vectors, not {}",
                        st.name, e.dim, st.dim
                    );
                    tracing::warn!("assistant works on full-text search only: {msg}");
                    st.error = Some(msg);
                    return;
                }
                (st.tag, st.dim) = (e.tag.clone(), e.dim);
                st.loaded = Some(Arc::new(e));
                st.error = None;
            }
            Err(e) => {
                tracing::warn!("assistant works on full-text search only: {e}");
                st.error = Some(e);
            }
        }
    }

    /// The model, loaded if need be; None when it cannot be used (the reason is in `error`).
    pub fn get(&self) -> Option<Arc<Embedder>> {
        self.last_used_ms.store(now_ms(), Ordering::Relaxed);
        let ready = |st: &State| st.loaded.is_some() || st.error.is_some();
        {
            let st = self.lock();
            if ready(&st) {
                return st.loaded.clone();
            }
        }
        let _loading = self.loading.lock().unwrap_or_else(|p| p.into_inner());
        let (name, known_tag) = {
            let st = self.lock();
            if ready(&st) {
                return st.loaded.clone();
            }
            // A dimension is known only when `describe` read the tag from the file.
            (st.name.clone(), (st.dim != 0).then(|| st.tag.clone()))
        };
        self.load(&name, known_tag);
        self.lock().loaded.clone()
    }

    /// Whether the model can be used (loaded now or loadable).
    pub fn usable(&self) -> bool {
        self.lock().error.is_none()
    }

    /// What the status report shows: name, whether loaded, why unusable.
    pub fn view(&self) -> (String, bool, Option<String>) {
        let st = self.lock();
        (st.name.clone(), st.loaded.is_some(), st.error.clone())
    }

    pub fn tag(&self) -> String {
        self.lock().tag.clone()
    }

    pub fn dim(&self) -> usize {
        self.lock().dim
    }

    /// Replaces the model with another one, loaded now so that a model that cannot be had
    /// (an online one while offline) is refused before anything changes.
    pub fn switch(&self, name: &str) -> Result<(), String> {
        let _loading = self.loading.lock().unwrap_or_else(|p| p.into_inner());
        let embedder = Embedder::load(name, &self.paths, None)?;
        let mut st = self.lock();
        *st = State {
            name: name.to_string(),
            tag: embedder.tag.clone(),
            dim: embedder.dim,
            loaded: Some(Arc::new(embedder)),
            error: None,
        };
        self.last_used_ms.store(now_ms(), Ordering::Relaxed);
        Ok(())
    }

    /// Lets the model go when it has not been used for `keep_for`. Returns whether it did.
    pub fn release_if_idle(&self) -> bool {
        if self.keep_for.is_zero() {
            return false;
        }
        let idle_ms = now_ms() - self.last_used_ms.load(Ordering::Relaxed);
        if idle_ms < self.keep_for.as_millis() as i64 {
            return false;
        }
        let released = {
            let mut st = self.lock();
            // A search still holding the model keeps it alive until it ends; it is let go
            // then, when its last holder drops it.
            st.loaded.take()
        };
        let Some(embedder) = released else {
            return false;
        };
        drop(embedder);
        embed::release_freed_memory();
        embed::release_runtime_pages(&self.paths.onnxruntime);
        tracing::info!(
            idle_s = idle_ms / 1000,
            "embedding model released while idle"
        );
        true
    }
}
