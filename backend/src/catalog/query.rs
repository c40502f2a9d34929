//! Queries built in code from analysed words and typed filters: user input never reaches a query parser.
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::schema::{Fields, Word};

/// Words shorter than this must match exactly (or as a prefix, when last): a typo allowance on short
/// words matches too much.
const FUZZY_MIN_LETTERS: usize = 5;
const NAME_BOOST: f32 = 3.0;

/// Words so common that requiring them could empty a result; they are retried without.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filters {
    pub category: Option<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: bool,
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// One word: its stem (BM25, name boosted), a one-edit typo on long words, and a prefix when it is
/// the word being typed.
fn word_query(f: &Fields, w: &Word, last: bool, name_only: bool) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Should, boosted(term(f.name, &w.stem), NAME_BOOST))];
    if !name_only {
        any.push((Occur::Should, term(f.description, &w.stem)));
    }
    let raw_fields = if name_only {
        vec![(f.name_raw, NAME_BOOST)]
    } else {
        vec![(f.name_raw, NAME_BOOST), (f.description_raw, 0.5)]
    };
    let letters = w.raw.chars().filter(|c| c.is_alphabetic()).count();
    for (field, boost) in raw_fields {
        let t = Term::from_field_text(field, &w.raw);
        if letters >= FUZZY_MIN_LETTERS {
            let fuzzy = FuzzyTermQuery::new(t.clone(), 1, true);
            any.push((Occur::Should, boosted(Box::new(fuzzy), boost * 0.5)));
        }
        if last {
            let prefix = FuzzyTermQuery::new_prefix(t, 0, true);
            any.push((Occur::Should, boosted(Box::new(prefix), boost)));
        }
    }
    Box::new(BooleanQuery::new(any))
}

/// Every word must match (as stem, typo or prefix); an empty word list matches everything.
pub fn text_query(f: &Fields, words: &[Word], name_only: bool) -> Vec<(Occur, Box<dyn Query>)> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                Occur::Must,
                word_query(f, w, i + 1 == words.len(), name_only),
            )
        })
        .collect()
}

/// The words without stop words, when dropping them leaves something to search for.
pub fn without_stop_words(words: &[Word]) -> Option<Vec<Word>> {
    let kept: Vec<Word> = words
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.raw.as_str()))
        .cloned()
        .collect();
    (!kept.is_empty() && kept.len() < words.len()).then_some(kept)
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    // Filters narrow without touching relevance.
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn i64_range(field: tantivy::schema::Field, lo: Option<i64>, hi: Option<i64>) -> Box<dyn Query> {
    let bound = |v: Option<i64>| match v {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(lo), bound(hi)))
}

/// The filters the query applies; the category and price filters are checked by the collector, which
/// also counts the facets that ignore them (see `collect`).
pub fn filter_clauses(f: &Fields, fl: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out = Vec::new();
    if fl.in_stock {
        out.push(filter(i64_range(f.available, Some(1), None)));
    }
    out
}

/// Text clauses plus filter clauses; nothing at all means every product.
pub fn combine(clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if clauses.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(BooleanQuery::new(clauses))
}
