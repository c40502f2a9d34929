//! The derived product index (tantivy): held in RAM by default, in an mmap'd directory with
//! `--index-dir` for catalogs too big for memory. Rebuilt from the database at every start.
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use tantivy::collector::DocSetCollector;
use tantivy::query::{Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use super::collect::{Counts, PageCollector, PRICE_RANGES};
use super::query::{combine, filter_clauses, text_query, without_stop_words, Filters};
use super::schema::{self, CatalogProduct, Fields, Word};
use super::stock::{fingerprint, Held, StockTable};
use super::Sort;

/// The writer's indexing memory, split over two threads (tantivy's floor is 15 MB per thread).
const WRITER_THREADS: usize = 2;
const WRITER_BYTES: usize = 2 * 20_000_000;

/// A product as the change feed delivers it.
#[derive(Debug, Clone)]
pub struct Change {
    pub product: CatalogProduct,
    pub version: i64,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub words: Vec<Word>,
    pub filters: Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub items: Vec<CatalogProduct>,
    pub total: u64,
    pub categories: Vec<(String, u64)>,
    pub prices: [u64; PRICE_RANGES],
    pub in_stock: u64,
}

/// What `stage` did: `indexed` changes wait for a commit, `stock_only` ones are live already.
#[derive(Debug, Default)]
pub struct Staged {
    pub indexed: usize,
    pub stock_only: usize,
    held: Vec<(i64, Held)>,
}

pub struct ProductIndex {
    index: Index,
    stock: StockTable,
    reader: IndexReader,
    /// `None` only while `settle` swaps it.
    writer: Mutex<Option<IndexWriter>>,
    f: Fields,
}

impl ProductIndex {
    /// A fresh, empty index: in RAM, or in `dir` (whatever was there is discarded — it is derived).
    pub fn create(dir: Option<&Path>) -> anyhow::Result<Self> {
        let (schema, f) = schema::schema();
        let index = match dir {
            Some(dir) => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).context("clearing the index directory")?;
                }
                std::fs::create_dir_all(dir).context("creating the index directory")?;
                Index::create_in_dir(dir, schema)?
            }
            None => Index::create_in_ram(schema),
        };
        schema::register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(64)
            .try_into()?;
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_BYTES)?;
        Ok(ProductIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            stock: StockTable::default(),
            f,
        })
    }

    fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Stages changes: a stock-only change (see `stock`) is live at once; every other one is
    /// staged in the index (visible after `commit`, then `hold`). Rows already applied at their
    /// version or later are skipped: a feed may deliver a row twice.
    pub fn stage(&self, changes: &[Change], max_applied: i64) -> anyhow::Result<Staged> {
        let guard = self.writer()?;
        let writer = guard.as_ref().context("no index writer")?;
        let searcher = self.searcher();
        let mut staged = Staged::default();
        // Products staged in the index by this call, as they will be held after the commit.
        let mut pending: HashMap<i64, usize> = HashMap::new();
        for c in changes {
            let id = c.product.id;
            let held = match pending.get(&id) {
                Some(&i) => Some(staged.held[i].1),
                None => self.stock.held(id),
            };
            match held {
                Some(h) if c.version <= h.version => continue,
                // No slot for this id: ask the index which version it has.
                None if c.version <= max_applied => {
                    let indexed = self.version_of(&searcher, id)?;
                    if indexed.is_some_and(|v| v >= c.version) || (c.deleted && indexed.is_none()) {
                        continue;
                    }
                }
                _ => {}
            }
            let fp = (!c.deleted).then(|| fingerprint(&c.product));
            let stock_only = match (held.and_then(|h| h.indexed), fp) {
                (Some((was_fp, was)), Some(fp)) => {
                    was_fp == fp && (was > 0) == (c.product.available > 0)
                }
                _ => false,
            };
            if stock_only && !pending.contains_key(&id) {
                self.stock.set_available(id, c.version, c.product.available);
                staged.stock_only += 1;
                continue;
            }
            writer.delete_term(Term::from_field_i64(self.f.id, id));
            if !c.deleted {
                writer.add_document(schema::document(&self.f, &c.product, c.version))?;
            }
            let now = Held {
                version: c.version,
                indexed: fp.map(|fp| (fp, c.product.available)),
            };
            match pending.get(&id) {
                Some(&i) => staged.held[i].1 = now,
                None => {
                    pending.insert(id, staged.held.len());
                    staged.held.push((id, now));
                }
            }
            staged.indexed += 1;
        }
        Ok(staged)
    }

    /// Records what was staged as what the replica holds: after the commit that made it visible
    /// (if the commit fails, the feed reads the rows again and stages them again).
    pub fn hold(&self, staged: &Staged) {
        for (id, held) in &staged.held {
            self.stock.set(*id, *held);
        }
    }

    /// The live count of a product, when the stock table has it (lock-free).
    pub fn available(&self, id: i64) -> Option<i64> {
        self.stock.available(id)
    }

    /// Makes staged changes visible to searches.
    pub fn commit(&self) -> anyhow::Result<()> {
        let mut guard = self.writer()?;
        guard.as_mut().context("no index writer")?.commit()?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    fn writer(&self) -> anyhow::Result<std::sync::MutexGuard<'_, Option<IndexWriter>>> {
        self.writer
            .lock()
            .map_err(|_| anyhow::anyhow!("index writer poisoned"))
    }

    /// Waits for the segment merges a commit started, then starts a fresh writer. After the build:
    /// a replica turns ready with few segments and its CPU free (at 1M products the merges ran on
    /// for seconds after ready and doubled the first queries' latency).
    pub fn settle(&self) -> anyhow::Result<()> {
        let mut guard = self.writer()?;
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        *guard = Some(
            self.index
                .writer_with_num_threads(WRITER_THREADS, WRITER_BYTES)?,
        );
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    fn docs_with(&self, searcher: &Searcher, term: Term) -> anyhow::Result<Vec<DocAddress>> {
        let q = TermQuery::new(term, IndexRecordOption::Basic);
        let mut docs: Vec<DocAddress> =
            searcher.search(&q, &DocSetCollector)?.into_iter().collect();
        docs.sort();
        Ok(docs)
    }

    fn version_of(&self, searcher: &Searcher, id: i64) -> anyhow::Result<Option<i64>> {
        let docs = self.docs_with(searcher, Term::from_field_i64(self.f.id, id))?;
        let Some(d) = docs.first() else {
            return Ok(None);
        };
        let col = searcher
            .segment_reader(d.segment_ord)
            .fast_fields()
            .i64("version")?;
        Ok(col.first(d.doc_id))
    }

    fn load(&self, searcher: &Searcher, addr: DocAddress) -> anyhow::Result<CatalogProduct> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let bytes = doc
            .get_first(self.f.stored)
            .and_then(|v| v.as_bytes())
            .context("stored product missing")?;
        let mut p: CatalogProduct = serde_json::from_slice(bytes)?;
        p.available = self.stock.available(p.id).unwrap_or(p.available);
        Ok(p)
    }

    pub fn by_id(&self, id: i64) -> anyhow::Result<Option<CatalogProduct>> {
        let s = self.searcher();
        let docs = self.docs_with(&s, Term::from_field_i64(self.f.id, id))?;
        docs.first().map(|d| self.load(&s, *d)).transpose()
    }

    /// Slugs are not unique in the database: the oldest product wins.
    pub fn by_slug(&self, slug: &str) -> anyhow::Result<Option<CatalogProduct>> {
        let s = self.searcher();
        let docs = self.docs_with(&s, Term::from_field_text(self.f.slug, slug))?;
        let mut found = docs
            .into_iter()
            .map(|d| self.load(&s, d))
            .collect::<anyhow::Result<Vec<_>>>()?;
        found.sort_by_key(|p| p.id);
        Ok(found.into_iter().next())
    }

    pub fn len(&self) -> u64 {
        self.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn run(
        &self,
        s: &Searcher,
        words: &[Word],
        req: &SearchRequest,
        top: usize,
        name_only: bool,
    ) -> anyhow::Result<(Vec<DocAddress>, Counts)> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = text_query(&self.f, words, name_only);
        clauses.extend(filter_clauses(&self.f, &req.filters));
        let collector = PageCollector {
            sort: req.sort,
            scored: req.sort == Sort::Relevance && !words.is_empty(),
            top,
            facets: !name_only,
            filters: req.filters.clone(),
        };
        let fruit = s.search(combine(clauses).as_ref(), &collector)?;
        Ok((fruit.hits, fruit.counts))
    }

    /// One page with its total and facets (each facet ignores its own filter and respects the
    /// others), in one pass over the documents matching the words.
    pub fn search(&self, req: &SearchRequest) -> anyhow::Result<SearchResult> {
        let s = self.searcher();
        let top = req.offset + req.limit;
        let mut main = self.run(&s, &req.words, req, top, false)?;
        if main.1.total == 0 {
            // Stop words never empty a result: retry without them.
            if let Some(fewer) = without_stop_words(&req.words) {
                main = self.run(&s, &fewer, req, top, false)?;
            }
        }
        let (hits, counts) = main;
        let items = hits
            .iter()
            .skip(req.offset)
            .map(|d| self.load(&s, *d))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(SearchResult {
            items,
            total: counts.total,
            categories: counts.categories.into_iter().collect(),
            prices: counts.prices,
            in_stock: counts.in_stock,
        })
    }

    /// Product names for a search box: the best `n` by name only.
    pub fn suggest(&self, words: &[Word], n: usize) -> anyhow::Result<Vec<CatalogProduct>> {
        if words.is_empty() {
            return Ok(vec![]);
        }
        let s = self.searcher();
        let req = SearchRequest {
            words: words.to_vec(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            offset: 0,
            limit: n,
        };
        let (hits, _) = self.run(&s, words, &req, n, true)?;
        hits.into_iter().map(|d| self.load(&s, d)).collect()
    }

    pub fn categories(&self) -> anyhow::Result<Vec<(String, u64)>> {
        let s = self.searcher();
        let req = SearchRequest {
            words: vec![],
            filters: Filters::default(),
            sort: Sort::Relevance,
            offset: 0,
            limit: 0,
        };
        let (_, counts) = self.run(&s, &[], &req, 0, false)?;
        Ok(counts.categories.into_iter().collect())
    }

    pub fn index(&self) -> &Index {
        &self.index
    }
}
