//! Serialized catalog responses per replica, keyed by the normalized query and the index state, so a
//! popular page is computed once per index change.
use bytes::Bytes;

/// Bytes of cached responses a replica keeps at most.
const CAPACITY_BYTES: u64 = 32 * 1024 * 1024;

pub struct PageCache {
    pages: moka::sync::Cache<String, Bytes>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new()
    }
}

impl PageCache {
    pub fn new() -> Self {
        PageCache {
            pages: moka::sync::Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|k: &String, v: &Bytes| {
                    u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// The cached bytes for `key`, computing and keeping them on a miss. `key` must name the index
    /// state (see `Catalog::tag`) so an entry never outlives the index it came from.
    pub fn get_or_try_insert<E>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(hit) = self.pages.get(&key) {
            return Ok(hit);
        }
        let bytes = compute()?;
        self.pages.insert(key, bytes.clone());
        Ok(bytes)
    }

    /// Drops every entry (the index moved on; old keys can never be asked for again).
    pub fn clear(&self) {
        self.pages.invalidate_all();
    }
}

/// A short, stable digest of a normalized query for ETags (FNV-1a: no need for a cryptographic hash).
pub fn digest(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
