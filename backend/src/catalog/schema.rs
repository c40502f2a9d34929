//! The index layout and the text analysis shared by indexing and querying.
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};
use tantivy::{doc, Index, TantivyDocument};

/// Lowercase + ASCII folding + English stemming: one semantics whatever the database.
pub const STEMMED: &str = "shop";
/// The same without stemming, for prefix (search-as-you-type) and typo matching on what was typed.
pub const RAW: &str = "shop_raw";
const LONGEST_WORD: usize = 40;

/// What the index returns for a product: everything a page shows, stored with the document. The
/// same row the store reads, so the feed indexes what it fetched without a field-by-field copy.
pub type CatalogProduct = crate::store::Product;

#[derive(Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub sku: Field,
    pub slug: Field,
    pub name: Field,
    pub name_raw: Field,
    pub description: Field,
    pub description_raw: Field,
    pub category: Field,
    pub price: Field,
    pub available: Field,
    pub created_at: Field,
    pub version: Field,
    pub stored: Field,
}

fn text(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let freqs = IndexRecordOption::WithFreqs;
    let basic = IndexRecordOption::Basic;
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | FAST),
        sku: b.add_text_field("sku", STRING),
        slug: b.add_text_field("slug", STRING),
        name: b.add_text_field("name", text(STEMMED, freqs)),
        name_raw: b.add_text_field("name_raw", text(RAW, basic)),
        description: b.add_text_field("description", text(STEMMED, freqs)),
        description_raw: b.add_text_field("description_raw", text(RAW, basic)),
        category: b.add_text_field("category", STRING | FAST),
        price: b.add_i64_field("price", INDEXED | FAST),
        available: b.add_i64_field("available", INDEXED | FAST),
        created_at: b.add_i64_field("created_at", FAST),
        version: b.add_i64_field("version", FAST),
        stored: b.add_bytes_field("doc", STORED),
    };
    (b.build(), fields)
}

pub fn analyzer(stem: bool) -> TextAnalyzer {
    let b = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD + 1))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    if stem {
        b.filter(Stemmer::new(Language::English)).build()
    } else {
        b.build()
    }
}

pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(STEMMED, analyzer(true));
    index.tokenizers().register(RAW, analyzer(false));
}

/// A word of a query: as typed (folded) and stemmed. Both analyzers share a tokenizer, so they agree
/// on where words are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub raw: String,
    pub stem: String,
}

pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// At most `max` words, so no query can fan out without bound.
pub fn words(text: &str, max: usize) -> Vec<Word> {
    let raw = tokens(&mut analyzer(false), text);
    let stem = tokens(&mut analyzer(true), text);
    raw.into_iter()
        .zip(stem)
        .map(|(raw, stem)| Word { raw, stem })
        .take(max)
        .collect()
}

pub fn document(f: &Fields, p: &CatalogProduct, version: i64) -> TantivyDocument {
    doc!(
        f.id => p.id,
        f.sku => p.sku.as_str(),
        f.slug => p.slug.as_str(),
        f.name => p.name.as_str(),
        f.name_raw => p.name.as_str(),
        f.description => p.description.as_str(),
        f.description_raw => p.description.as_str(),
        f.category => p.category.as_str(),
        f.price => p.price_cents,
        f.available => p.available,
        f.created_at => p.created_at,
        f.version => version,
        f.stored => serde_json::to_vec(p).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_stemmed_and_syntax_is_just_text() {
        let w = words("Crème BRÛLÉE mugs\" OR 1=1; --*", 8);
        let raw: Vec<&str> = w.iter().map(|w| w.raw.as_str()).collect();
        let stem: Vec<&str> = w.iter().map(|w| w.stem.as_str()).collect();
        assert_eq!(raw, ["creme", "brulee", "mugs", "or", "1", "1"]);
        assert_eq!(stem, ["creme", "brule", "mug", "or", "1", "1"]);
        assert!(words("\"*():^", 8).is_empty());
        assert_eq!(words("a b c d e f g h i j", 8).len(), 8);
    }
}
