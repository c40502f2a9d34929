//! The read model: each replica serves catalog reads from a search index derived from the database
//! and kept fresh by a change feed. The database stays the source of truth (checkout checks stock there).
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use utoipa::ToSchema;

use crate::store::{FeedCursor, Store};

pub mod cache;
mod collect;
pub mod feed;
pub mod index;
pub mod query;
pub mod schema;
pub mod seed;
pub mod stock;

pub use collect::{PRICE_EDGES, PRICE_RANGES};
pub use index::{Change, ProductIndex, SearchRequest, SearchResult, Staged};
pub use query::Filters;
pub use schema::{words, CatalogProduct, Word};

/// Most words a query may have: bounds the work one request can ask for.
pub const MAX_WORDS: usize = 8;
/// Deepest result a page may reach (`page × per_page`), as search engines do.
pub const RESULT_WINDOW: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
        }
    }
}

pub(crate) struct FeedState {
    pub cursor: FeedCursor,
    pub max_applied: i64,
    pub built: bool,
}

pub struct Catalog {
    pub(crate) store: Arc<dyn Store>,
    /// Created by the first build (so creating a catalog cannot fail; the feed retries).
    index: OnceLock<ProductIndex>,
    index_dir: Option<PathBuf>,
    pub(crate) feed: tokio::sync::Mutex<FeedState>,
    pub(crate) wake: Arc<Notify>,
    ready: AtomicBool,
    /// Bumped at every index commit; with `epoch` it names what a response was computed from.
    generation: AtomicU64,
    epoch: u32,
    pub cache: cache::PageCache,
}

impl Catalog {
    /// An empty catalog; `feed::run` builds it from the database and keeps it fresh.
    pub fn new(store: Arc<dyn Store>, index_dir: Option<&Path>) -> Arc<Self> {
        Arc::new(Catalog {
            store,
            index: OnceLock::new(),
            index_dir: index_dir.map(Path::to_path_buf),
            feed: tokio::sync::Mutex::new(FeedState {
                cursor: FeedCursor::default(),
                max_applied: 0,
                built: false,
            }),
            wake: Arc::new(Notify::new()),
            ready: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            epoch: rand::random(),
            cache: cache::PageCache::new(),
        })
    }

    /// True once the initial build is complete: never answer from a partial index.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub(crate) fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Names the index state: changes whenever the index does (and across restarts).
    pub fn tag(&self) -> String {
        format!(
            "{:08x}.{}",
            self.epoch,
            self.generation.load(Ordering::Acquire)
        )
    }

    pub(crate) fn committed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cache.clear();
    }

    /// The index, once it is complete.
    pub fn index(&self) -> Option<&ProductIndex> {
        self.index.get().filter(|_| self.is_ready())
    }

    /// A product's live stock count (lock-free), when the replica holds the product.
    pub fn available(&self, id: i64) -> Option<i64> {
        self.index.get().and_then(|i| i.available(id))
    }

    /// The index being built or kept fresh (the feed's side).
    pub(crate) fn writable_index(&self) -> anyhow::Result<&ProductIndex> {
        if let Some(index) = self.index.get() {
            return Ok(index);
        }
        let index = ProductIndex::create(self.index_dir.as_deref())?;
        Ok(self.index.get_or_init(|| index))
    }

    /// Applies everything committed in the database so far: after a write through this replica
    /// (read-your-writes), and in tests.
    pub async fn sync(&self) -> anyhow::Result<()> {
        feed::catch_up(self).await.map(|_| ())
    }

    /// `sync` for a request handler that just wrote: a failure only delays freshness (the feed
    /// retries), so it is logged, not returned.
    pub async fn refresh(&self) {
        if let Err(e) = self.sync().await {
            tracing::warn!(error = %e, "catalog: could not apply a change at once");
        }
    }

    /// Wakes the feed now (a write happened here); it applies the change within milliseconds.
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
