//! Serialized catalog responses per replica, keyed by the normalized query and the index state, so a
//! popular page is computed once per index change. Stock counts are left out of the cached bytes and
//! written in from the live stock table (see `stock`) at every response: a sale changes no index
//! state, so it keeps the page cached, and the page still shows the count of the moment.
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};

/// The count a response is serialized with where the live count goes (see `Page::with_counts`).
pub const STOCK_MARK: i64 = i64::MIN;
/// How the mark reads in JSON. Inside a string a quote is escaped, so this only matches the field.
const MARK_KEY: &[u8] = b"\"available\":";
const MARK_VALUE: &[u8] = b"-9223372036854775808";

/// One cached response as it was made, and where each product's count is in it.
#[derive(Debug)]
pub struct Page {
    body: Bytes,
    counts: Vec<Count>,
    made_digest: u64,
}

#[derive(Debug)]
struct Count {
    /// Where the count's digits are in `body`.
    at: usize,
    len: usize,
    id: i64,
    /// The count when the page was made: shown while the live table has the same (or none).
    made_with: i64,
}

impl Page {
    /// A response with no stock counts in it.
    pub fn fixed(body: Bytes) -> Self {
        Page {
            body,
            counts: vec![],
            made_digest: counts_digest(&[]),
        }
    }

    /// A response serialized with `STOCK_MARK` as every product's `available`; `products` names them
    /// in the order they were serialized, as (id, count then).
    pub fn with_counts(json: &[u8], products: &[(i64, i64)]) -> anyhow::Result<Self> {
        let mut body = BytesMut::with_capacity(json.len());
        let mut counts = Vec::with_capacity(products.len());
        let mut rest = json;
        let mut digits = itoa::Buffer::new();
        for &(id, made_with) in products {
            let found = find(rest, MARK_KEY, MARK_VALUE)
                .ok_or_else(|| anyhow::anyhow!("a product's count is missing from the page"))?;
            let value = found + MARK_KEY.len();
            body.put_slice(&rest[..value]);
            let shown = digits.format(made_with).as_bytes();
            counts.push(Count {
                at: body.len(),
                len: shown.len(),
                id,
                made_with,
            });
            body.put_slice(shown);
            rest = &rest[value + MARK_VALUE.len()..];
        }
        anyhow::ensure!(
            find(rest, MARK_KEY, MARK_VALUE).is_none(),
            "more counts in the page than products"
        );
        body.put_slice(rest);
        let made: Vec<i64> = products.iter().map(|p| p.1).collect();
        Ok(Page {
            body: body.freeze(),
            counts,
            made_digest: counts_digest(&made),
        })
    }

    /// The counts to show now, in page order: `None` while they are those the page was made with
    /// (then the response is the cached bytes themselves).
    pub fn live(&self, live: impl Fn(i64) -> Option<i64>) -> Option<Vec<i64>> {
        let moved = self
            .counts
            .iter()
            .any(|c| live(c.id).is_some_and(|n| n != c.made_with));
        moved.then(|| {
            self.counts
                .iter()
                .map(|c| live(c.id).unwrap_or(c.made_with))
                .collect()
        })
    }

    /// A digest of the counts shown (from `live`), for the ETag.
    pub fn digest(&self, now: Option<&[i64]>) -> u64 {
        now.map_or(self.made_digest, counts_digest)
    }

    /// The response showing `now` (from `live`).
    pub fn render(&self, now: Option<&[i64]>) -> Bytes {
        let Some(now) = now else {
            return self.body.clone();
        };
        let mut out = BytesMut::with_capacity(self.body.len() + 20 * now.len());
        let mut from = 0;
        let mut digits = itoa::Buffer::new();
        for (c, n) in self.counts.iter().zip(now) {
            out.put_slice(&self.body[from..c.at]);
            out.put_slice(digits.format(*n).as_bytes());
            from = c.at + c.len;
        }
        out.put_slice(&self.body[from..]);
        out.freeze()
    }

    fn weight(&self) -> usize {
        self.body.len() + self.counts.len() * std::mem::size_of::<Count>()
    }
}

/// Where `key` directly followed by `value` starts in `hay`.
fn find(hay: &[u8], key: &[u8], value: &[u8]) -> Option<usize> {
    let n = key.len() + value.len();
    (0..(hay.len() + 1).saturating_sub(n))
        .find(|&i| hay[i..].starts_with(key) && hay[i + key.len()..].starts_with(value))
}

/// A digest of the counts a response shows, for its ETag.
pub fn counts_digest(counts: &[i64]) -> u64 {
    fnv1a(counts.iter().flat_map(|n| n.to_le_bytes()))
}

/// Bytes of cached responses a replica keeps at most.
const CAPACITY_BYTES: u64 = 32 * 1024 * 1024;

pub struct PageCache {
    pages: moka::sync::Cache<String, Arc<Page>>,
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
                .weigher(|k: &String, v: &Arc<Page>| {
                    u32::try_from(k.len() + v.weight()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// The cached page for `key`, computing and keeping it on a miss. `key` must name the index
    /// state (see `Catalog::tag`) so an entry never outlives the index it came from.
    pub fn get_or_try_insert<E>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<Page, E>,
    ) -> Result<Arc<Page>, E> {
        if let Some(hit) = self.pages.get(&key) {
            return Ok(hit);
        }
        let page = Arc::new(compute()?);
        self.pages.insert(key, page.clone());
        Ok(page)
    }

    /// Drops every entry (the index moved on; old keys can never be asked for again).
    pub fn clear(&self) {
        self.pages.invalidate_all();
    }
}

/// A short, stable digest of a normalized query for ETags.
pub fn digest(s: &str) -> u64 {
    fnv1a(s.bytes())
}

/// FNV-1a: the ETags' digests need to be short and stable, not cryptographic.
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_shows_the_live_count_of_each_product_in_its_place() {
        let json = br#"{"items":[{"id":1,"name":"\"available\":-9223372036854775808","available":-9223372036854775808},{"id":2,"available":-9223372036854775808}],"in_stock":2}"#;
        let page = Page::with_counts(json, &[(1, 5), (2, 7)]).unwrap();
        let made = r#"{"items":[{"id":1,"name":"\"available\":-9223372036854775808","available":5},{"id":2,"available":7}],"in_stock":2}"#;
        let unchanged = page.live(|id| (id == 2).then_some(7));
        assert_eq!(unchanged, None, "no count moved: the bytes as made");
        assert_eq!(page.render(None), made.as_bytes());
        let now = page.live(|id| (id == 2).then_some(12));
        assert_eq!(
            now,
            Some(vec![5, 12]),
            "the count made with when the table has none"
        );
        assert_eq!(
            std::str::from_utf8(&page.render(now.as_deref())).unwrap(),
            made.replace(":7}", ":12}")
        );
        assert_ne!(page.digest(None), page.digest(now.as_deref()));
        assert_eq!(page.digest(None), page.digest(Some(&[5, 7])));
        assert!(
            Page::with_counts(json, &[(1, 5)]).is_err(),
            "a count left over"
        );
        assert!(Page::with_counts(json, &[(1, 5), (2, 7), (3, 1)]).is_err());
    }
}
