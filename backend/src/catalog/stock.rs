//! The live stock of the indexed products, beside the search index. A sale only lowers a count, so
//! when a change moves nothing but the count (every other field equal, in stock before and after) the
//! feed writes it here instead of re-indexing the product: no index commit, no merge, no reader
//! reload, and the page cache stays (pages render their counts from this table, see `cache`).
//! The index keeps the count it was given last; it is only read for in-stock or not, which every
//! change that flips it keeps true by going through the index.
//!
//! Readers (request handlers) never lock: the table is chunks of atomics, found by product id. One
//! writer (the feed, under its mutex) also keeps per product the version it applied and a fingerprint
//! of the indexed fields, to tell a stock-only change from one the index must see.
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;

use super::CatalogProduct;

const CHUNK: usize = 1 << 14;
const CHUNKS: usize = 1 << 12;
/// Ids from 1 up to this have a slot (the database hands them out in sequence); a product beyond it
/// is re-indexed at every change instead.
pub const MAX_ID: i64 = (CHUNK * CHUNKS) as i64 - 1;
/// A slot no product was indexed into (or whose product was deleted).
const NOT_HELD: u64 = 0;

struct Slot {
    available: AtomicI64,
    version: AtomicI64,
    fingerprint: AtomicU64,
}

/// What the replica holds of one product: the version last applied and, while indexed, the
/// fingerprint of its indexed fields and its live count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub version: i64,
    pub indexed: Option<(u64, i64)>,
}

pub struct StockTable {
    chunks: Box<[OnceLock<Box<[Slot]>>]>,
}

impl Default for StockTable {
    fn default() -> Self {
        StockTable {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
        }
    }
}

fn place(id: i64) -> Option<(usize, usize)> {
    (1..=MAX_ID)
        .contains(&id)
        .then_some((id as usize / CHUNK, id as usize % CHUNK))
}

/// Every field the index or a rendered page takes from a product, except the count. Destructured,
/// so a new field cannot be forgotten here.
pub fn fingerprint(p: &CatalogProduct) -> u64 {
    let CatalogProduct {
        id,
        sku,
        slug,
        name,
        description,
        category,
        price_cents,
        currency,
        image_key,
        available: _,
        created_at,
        // A sale bumps it: counting it would turn every sale into an index change.
        updated_at: _,
        seo_title,
        seo_description,
    } = p;
    // SipHash with fixed keys: stable within the process, which is all a replica needs.
    let mut h = std::hash::DefaultHasher::new();
    (id, sku, slug, name, description, category).hash(&mut h);
    (price_cents, currency, image_key, created_at).hash(&mut h);
    (seo_title, seo_description).hash(&mut h);
    h.finish().max(1)
}

impl StockTable {
    fn slot(&self, id: i64) -> Option<&Slot> {
        let (chunk, at) = place(id)?;
        self.chunks[chunk].get().map(|c| &c[at])
    }

    /// The live count of a product, when this table has it (lock-free).
    pub fn available(&self, id: i64) -> Option<i64> {
        let s = self.slot(id)?;
        (s.fingerprint.load(Ordering::Acquire) != NOT_HELD)
            .then(|| s.available.load(Ordering::Acquire))
    }

    /// What the replica holds of `id`; `None` when the id has no slot (beyond `MAX_ID`).
    pub fn held(&self, id: i64) -> Option<Held> {
        place(id)?;
        let Some(s) = self.slot(id) else {
            return Some(Held {
                version: 0,
                indexed: None,
            });
        };
        let fp = s.fingerprint.load(Ordering::Acquire);
        Some(Held {
            version: s.version.load(Ordering::Acquire),
            indexed: (fp != NOT_HELD).then(|| (fp, s.available.load(Ordering::Acquire))),
        })
    }

    /// Records what the feed applied (the writer's side; one writer at a time).
    pub fn set(&self, id: i64, held: Held) {
        let Some((chunk, at)) = place(id) else {
            return;
        };
        let chunk = self.chunks[chunk].get_or_init(|| {
            (0..CHUNK)
                .map(|_| Slot {
                    available: AtomicI64::new(0),
                    version: AtomicI64::new(0),
                    fingerprint: AtomicU64::new(NOT_HELD),
                })
                .collect()
        });
        let s = &chunk[at];
        let (fp, available) = held.indexed.unwrap_or((NOT_HELD, 0));
        s.available.store(available, Ordering::Release);
        s.version.store(held.version, Ordering::Release);
        s.fingerprint.store(fp, Ordering::Release);
    }

    /// Sets only the count (and version) of a product the index holds unchanged otherwise.
    pub fn set_available(&self, id: i64, version: i64, available: i64) {
        if let Some(s) = self.slot(id) {
            s.available.store(available, Ordering::Release);
            s.version.store(version, Ordering::Release);
        }
    }
}
