//! One pass over the matching documents: the top of the requested order plus every count a page shows
//! (total, categories, price ranges, in stock), all from fast fields.
//!
//! The category and price filters are checked here, per document, instead of in the query: the pass then
//! runs over the documents matching the words (and the in-stock filter) once and also yields the facets
//! that ignore one of those filters. Running a query per facet instead cost up to three passes over a
//! million documents for a browse with both filters set.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt::Debug;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, ColumnValues, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::Filters;
use super::Sort;

/// Upper bounds (exclusive, in cents) of the price ranges; the last range is open.
pub const PRICE_EDGES: [i64; 5] = [1_000, 2_500, 5_000, 10_000, 25_000];
pub const PRICE_RANGES: usize = PRICE_EDGES.len() + 1;
/// tantivy hands unscored matches over in blocks of at most this many.
const BLOCK: usize = 64;
const NO_CATEGORY: u64 = u64::MAX;

/// Larger is better; ties are broken by id so every order is total and stable.
type Key = (i64, i64);

pub struct PageCollector {
    pub sort: Sort,
    pub scored: bool,
    /// How many of the best to keep (offset + page size); 0 when only counts are wanted.
    pub top: usize,
    /// Whether to count facets (a suggestion list needs none).
    pub facets: bool,
    /// The category and price filters (the query applies the words and the in-stock filter).
    pub filters: Filters,
}

/// Counts of one search: `total` and `in_stock` over the matches; `categories` ignore the category
/// filter and `prices` ignore the price filter (each respects the others), so a shopper sees what
/// switching that filter would give.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Counts {
    pub total: u64,
    pub categories: BTreeMap<String, u64>,
    pub prices: [u64; PRICE_RANGES],
    pub in_stock: u64,
}

pub struct PageFruit {
    pub hits: Vec<DocAddress>,
    pub counts: Counts,
}

/// The category filter as this segment's dictionary knows it.
#[derive(Clone, Copy)]
enum Wanted {
    Any,
    Ord(u64),
    Absent,
}

type Values = Arc<dyn ColumnValues<i64>>;

pub struct PageSegment {
    segment: SegmentOrdinal,
    sort: Sort,
    scored: bool,
    top: usize,
    facets: bool,
    wanted: Wanted,
    /// Whether a document's category and price must be read at all (a suggestion list needs neither).
    reads_category: bool,
    reads_price: bool,
    min_price: i64,
    max_price: i64,
    id: Values,
    price: Values,
    available: Values,
    created_at: Values,
    category: Option<(StrColumn, Arc<dyn ColumnValues<u64>>)>,
    heap: BinaryHeap<Reverse<(Key, DocId)>>,
    total: u64,
    category_ords: Vec<u64>,
    prices: [u64; PRICE_RANGES],
    in_stock: u64,
}

/// A column's values by document. Every product has every field, so the values are usually stored
/// one per document and are read directly: through `Column::first` each read costs two more calls,
/// and column reads dominate a browse over a large catalog.
fn by_doc<T>(column: Column<T>, default: T) -> Arc<dyn ColumnValues<T>>
where
    T: Copy + PartialOrd + Debug + Send + Sync + 'static,
{
    match column.get_cardinality() {
        Cardinality::Full => column.values,
        _ => column.first_or_default_col(default),
    }
}

pub fn price_range(cents: i64) -> usize {
    PRICE_EDGES
        .iter()
        .position(|edge| cents < *edge)
        .unwrap_or(PRICE_EDGES.len())
}

impl Collector for PageCollector {
    type Fruit = PageFruit;
    type Child = PageSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PageSegment> {
        let ff = reader.fast_fields();
        let values = |name: &str| -> tantivy::Result<Values> { Ok(by_doc(ff.i64(name)?, 0)) };
        let category = ff
            .str("category")?
            .map(|c| (c.clone(), by_doc(c.ords().clone(), NO_CATEGORY)));
        let wanted = match (&self.filters.category, &category) {
            (None, _) => Wanted::Any,
            (Some(name), Some((col, _))) => match col.dictionary().term_ord(name)? {
                Some(ord) => Wanted::Ord(ord),
                None => Wanted::Absent,
            },
            (Some(_), None) => Wanted::Absent,
        };
        let terms = category.as_ref().map_or(0, |(c, _)| c.num_terms());
        Ok(PageSegment {
            segment,
            sort: self.sort,
            scored: self.scored,
            top: self.top,
            facets: self.facets,
            wanted,
            reads_category: self.facets || !matches!(wanted, Wanted::Any),
            reads_price: self.facets
                || self.filters.min_price.is_some()
                || self.filters.max_price.is_some()
                || matches!(self.sort, Sort::PriceAsc | Sort::PriceDesc),
            min_price: self.filters.min_price.unwrap_or(i64::MIN),
            max_price: self.filters.max_price.unwrap_or(i64::MAX),
            id: values("id")?,
            price: values("price")?,
            available: values("available")?,
            created_at: values("created_at")?,
            category,
            heap: BinaryHeap::with_capacity(self.top.min(10_000) + 1),
            total: 0,
            category_ords: vec![0; terms],
            prices: [0; PRICE_RANGES],
            in_stock: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(Key, DocAddress)>, Counts)>,
    ) -> tantivy::Result<PageFruit> {
        let mut hits = Vec::new();
        let mut counts = Counts::default();
        for (h, c) in fruits {
            hits.extend(h);
            counts.total += c.total;
            counts.in_stock += c.in_stock;
            for (i, n) in c.prices.iter().enumerate() {
                counts.prices[i] += n;
            }
            for (name, n) in c.categories {
                *counts.categories.entry(name).or_default() += n;
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.truncate(self.top);
        Ok(PageFruit {
            hits: hits.into_iter().map(|(_, d)| d).collect(),
            counts,
        })
    }
}

impl PageSegment {
    fn take(&mut self, doc: DocId, score: Score, price: i64, category: u64) {
        let category_ok = match self.wanted {
            Wanted::Any => true,
            Wanted::Ord(ord) => category == ord,
            Wanted::Absent => false,
        };
        let price_ok = (self.min_price..=self.max_price).contains(&price);
        if self.facets {
            if price_ok && category != NO_CATEGORY {
                self.category_ords[category as usize] += 1;
            }
            if category_ok {
                self.prices[price_range(price)] += 1;
            }
        }
        if !(category_ok && price_ok) {
            return;
        }
        self.total += 1;
        if self.facets && self.available.get_val(doc) > 0 {
            self.in_stock += 1;
        }
        if self.top == 0 {
            return;
        }
        // The primary key alone usually tells that a document cannot enter a full heap.
        let primary = match self.sort {
            // BM25 scores are never negative, and the bits of a non-negative float order like it.
            Sort::Relevance if self.scored => i64::from(score.max(0.0).to_bits()),
            Sort::Relevance => 0,
            Sort::PriceAsc => -price,
            Sort::PriceDesc => price,
            Sort::Newest => self.created_at.get_val(doc),
        };
        let full = self.heap.len() >= self.top;
        if full
            && self
                .heap
                .peek()
                .is_some_and(|Reverse(((worst, _), _))| primary < *worst)
        {
            return;
        }
        let id = self.id.get_val(doc);
        let key = (primary, if self.sort == Sort::Newest { id } else { -id });
        if !full {
            self.heap.push(Reverse((key, doc)));
        } else if self
            .heap
            .peek()
            .is_some_and(|Reverse((worst, _))| key > *worst)
        {
            self.heap.pop();
            self.heap.push(Reverse((key, doc)));
        }
    }
}

impl SegmentCollector for PageSegment {
    type Fruit = (Vec<(Key, DocAddress)>, Counts);

    fn collect(&mut self, doc: DocId, score: Score) {
        let price = if self.reads_price {
            self.price.get_val(doc)
        } else {
            0
        };
        let category = match &self.category {
            Some((_, ords)) if self.reads_category => ords.get_val(doc),
            _ => NO_CATEGORY,
        };
        self.take(doc, score, price, category);
    }

    /// Unscored matches come in blocks: read their columns in one call each.
    fn collect_block(&mut self, docs: &[DocId]) {
        for docs in docs.chunks(BLOCK) {
            let mut prices = [0i64; BLOCK];
            let mut categories = [NO_CATEGORY; BLOCK];
            let n = docs.len();
            if self.reads_price {
                self.price.get_vals(docs, &mut prices[..n]);
            }
            if let Some((_, ords)) = self.category.as_ref().filter(|_| self.reads_category) {
                ords.get_vals(docs, &mut categories[..n]);
            }
            for i in 0..n {
                self.take(docs[i], 0.0, prices[i], categories[i]);
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut categories = BTreeMap::new();
        if let Some((col, _)) = &self.category {
            for (ord, n) in self
                .category_ords
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
            {
                let mut name = String::new();
                if col.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    categories.insert(name, *n);
                }
            }
        }
        let segment = self.segment;
        let hits = self
            .heap
            .into_iter()
            .map(|Reverse((key, doc))| (key, DocAddress::new(segment, doc)))
            .collect();
        let counts = Counts {
            total: self.total,
            categories,
            prices: self.prices,
            in_stock: self.in_stock,
        };
        (hits, counts)
    }
}
