//! One pass over the matching documents: the top of the requested order plus every count a page shows
//! (total, categories, price ranges, in stock), all from fast fields.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::Sort;

/// Upper bounds (exclusive, in cents) of the price ranges; the last range is open.
pub const PRICE_EDGES: [i64; 5] = [1_000, 2_500, 5_000, 10_000, 25_000];
pub const PRICE_RANGES: usize = PRICE_EDGES.len() + 1;

/// Larger is better; ties are broken by id so every order is total and stable.
type Key = (i64, i64);

pub struct PageCollector {
    pub sort: Sort,
    pub scored: bool,
    /// How many of the best to keep (offset + page size); 0 when only counts are wanted.
    pub top: usize,
    /// Whether to count facets (a suggestion list needs none).
    pub facets: bool,
}

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

pub struct PageSegment {
    segment: SegmentOrdinal,
    sort: Sort,
    scored: bool,
    top: usize,
    facets: bool,
    id: Column<i64>,
    price: Column<i64>,
    available: Column<i64>,
    created_at: Column<i64>,
    category: Option<StrColumn>,
    heap: BinaryHeap<Reverse<(Key, DocId)>>,
    total: u64,
    category_ords: Vec<u64>,
    prices: [u64; PRICE_RANGES],
    in_stock: u64,
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
        let category = ff.str("category")?;
        let terms = category.as_ref().map_or(0, |c| c.num_terms());
        Ok(PageSegment {
            segment,
            sort: self.sort,
            scored: self.scored,
            top: self.top,
            facets: self.facets,
            id: ff.i64("id")?,
            price: ff.i64("price")?,
            available: ff.i64("available")?,
            created_at: ff.i64("created_at")?,
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

impl SegmentCollector for PageSegment {
    type Fruit = (Vec<(Key, DocAddress)>, Counts);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let price = self.price.first(doc).unwrap_or(0);
        if self.facets {
            self.prices[price_range(price)] += 1;
            if self.available.first(doc).unwrap_or(0) > 0 {
                self.in_stock += 1;
            }
            if let Some(ord) = self.category.as_ref().and_then(|c| c.ords().first(doc)) {
                self.category_ords[ord as usize] += 1;
            }
        }
        if self.top == 0 {
            return;
        }
        let id = self.id.first(doc).unwrap_or(0);
        let key = match self.sort {
            // BM25 scores are never negative, and the bits of a non-negative float order like it.
            Sort::Relevance if self.scored => (i64::from(score.max(0.0).to_bits()), -id),
            Sort::Relevance => (0, -id),
            Sort::PriceAsc => (-price, -id),
            Sort::PriceDesc => (price, -id),
            Sort::Newest => (self.created_at.first(doc).unwrap_or(0), id),
        };
        if self.heap.len() < self.top {
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

    fn harvest(self) -> Self::Fruit {
        let mut categories = BTreeMap::new();
        if let Some(col) = &self.category {
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
