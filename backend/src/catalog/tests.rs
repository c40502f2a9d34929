//! The index over a small in-memory catalog: search semantics, filters, facets, sorts and the feed's
//! idempotence, without a database.
use super::index::{Change, ProductIndex, SearchRequest, Staged};
use super::query::Filters;
use super::{words, CatalogProduct, Sort, MAX_WORDS};

fn product(
    id: i64,
    name: &str,
    description: &str,
    category: &str,
    price: i64,
    available: i64,
) -> CatalogProduct {
    CatalogProduct {
        id,
        sku: format!("SKU-{id}"),
        slug: name.to_lowercase().replace(' ', "-"),
        name: name.into(),
        description: description.into(),
        category: category.into(),
        price_cents: price,
        currency: "USD".into(),
        image_key: None,
        available,
        created_at: 1_000 + id,
        updated_at: 1_000 + id,
        seo_title: None,
        seo_description: None,
    }
}

fn catalog() -> ProductIndex {
    let ps = [
        product(1, "Blue Ceramic Mug", "A mug for tea.", "Kitchen", 1299, 5),
        product(2, "Red Enamel Mug", "Camp coffee mug.", "Outdoors", 899, 0),
        product(3, "Two Person Tent", "Sleeps two.", "Outdoors", 19999, 3),
        product(4, "Chef Knife", "Sharp steel.", "Kitchen", 4999, 10),
        product(5, "Running Shoes", "Light trainers.", "Apparel", 7999, 2),
        product(
            6,
            "Crème Brûlée Torch",
            "Caramelize sugar; pairs with a tent lantern.",
            "Kitchen",
            2999,
            1,
        ),
    ];
    let index = ProductIndex::create(None).unwrap();
    let changes: Vec<Change> = ps
        .into_iter()
        .map(|p| Change {
            version: p.id,
            product: p,
            deleted: false,
        })
        .collect();
    apply(&index, &changes, 0);
    index
}

/// What the feed does with a batch: stage, commit what the index must see, hold it.
fn apply(index: &ProductIndex, changes: &[Change], max_applied: i64) -> Staged {
    let staged = index.stage(changes, max_applied).unwrap();
    index.commit().unwrap();
    index.hold(&staged);
    staged
}

fn change(product: CatalogProduct, version: i64) -> Change {
    Change {
        product,
        version,
        deleted: false,
    }
}

fn request(q: &str) -> SearchRequest {
    SearchRequest {
        words: words(q, MAX_WORDS),
        filters: Filters::default(),
        sort: Sort::Relevance,
        offset: 0,
        limit: 24,
    }
}

fn ids(index: &ProductIndex, req: &SearchRequest) -> Vec<i64> {
    index
        .search(req)
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

#[test]
fn other_forms_of_a_word_match_through_the_stem() {
    let idx = catalog();
    assert_eq!(sorted(ids(&idx, &request("mugs"))), [1, 2]);
    assert_eq!(ids(&idx, &request("run shoes")), [5]);
}

#[test]
fn accents_and_case_fold_away() {
    let idx = catalog();
    assert_eq!(ids(&idx, &request("CREME brulee")), [6]);
}

#[test]
fn the_last_word_matches_as_a_prefix_while_typing() {
    let idx = catalog();
    assert_eq!(ids(&idx, &request("cer")), [1]);
    assert_eq!(ids(&idx, &request("blue c")), [1]);
    assert!(
        ids(&idx, &request("t")).contains(&3),
        "one letter is a prefix query"
    );
}

#[test]
fn one_and_two_letter_prefixes_match_every_word_that_starts_with_them() {
    let idx = catalog();
    assert_eq!(sorted(ids(&idx, &request("t"))), [1, 3, 5, 6]);
    assert_eq!(sorted(ids(&idx, &request("te"))), [1, 3, 6]);
    assert_eq!(sorted(ids(&idx, &request("ca"))), [2, 6]);
    assert_eq!(ids(&idx, &request("BR")), [6], "folded like the words");
    assert_eq!(ids(&idx, &request("red m")), [2]);
}

#[test]
fn one_typo_is_forgiven_on_words_of_five_letters_or_more() {
    let idx = catalog();
    assert_eq!(ids(&idx, &request("cermaic mug")), [1]);
    assert_eq!(
        ids(&idx, &request("knfe chef")),
        Vec::<i64>::new(),
        "short words must be exact"
    );
}

#[test]
fn stop_words_never_empty_a_result() {
    let idx = catalog();
    assert_eq!(sorted(ids(&idx, &request("the mug"))), [1, 2]);
    assert!(!ids(&idx, &request("a")).is_empty());
}

#[test]
fn a_name_match_ranks_above_a_description_match() {
    let idx = catalog();
    assert_eq!(ids(&idx, &request("tent")), [3, 6]);
}

#[test]
fn query_syntax_is_just_text() {
    let idx = catalog();
    assert_eq!(
        ids(&idx, &request("name:mug AND \"blue\" OR (*) ^2")),
        Vec::<i64>::new()
    );
    assert_eq!(
        idx.search(&request("\"*():^")).unwrap().total,
        6,
        "punctuation alone filters nothing"
    );
}

#[test]
fn each_facet_ignores_its_own_filter_and_respects_the_others() {
    let idx = catalog();
    let mut req = request("");
    req.filters = Filters {
        category: Some("Kitchen".into()),
        min_price: Some(1000),
        max_price: Some(5000),
        in_stock: false,
    };
    let r = idx.search(&req).unwrap();
    assert_eq!(sorted(r.items.iter().map(|p| p.id).collect()), [1, 4, 6]);
    assert_eq!(
        r.categories,
        [("Kitchen".to_string(), 3)],
        "other categories have nothing in the price range"
    );
    // Prices across the whole kitchen: 12.99, 49.99, 29.99 -> [10, 25), [25, 50) twice.
    assert_eq!(r.prices, [0, 1, 2, 0, 0, 0]);
    assert_eq!(r.in_stock, 3);
    req.filters.category = None;
    req.filters.in_stock = true;
    let r = idx.search(&req).unwrap();
    assert_eq!(r.categories, [("Kitchen".to_string(), 3)]);
    assert_eq!(r.total, 3);
}

#[test]
fn sorts_order_by_price_or_age_with_ids_breaking_ties() {
    let idx = catalog();
    let mut req = request("");
    req.sort = Sort::PriceAsc;
    assert_eq!(ids(&idx, &req), [2, 1, 6, 4, 5, 3]);
    req.sort = Sort::PriceDesc;
    assert_eq!(ids(&idx, &req), [3, 5, 4, 6, 1, 2]);
    req.sort = Sort::Newest;
    assert_eq!(ids(&idx, &req), [6, 5, 4, 3, 2, 1]);
    req.sort = Sort::Relevance;
    req.offset = 4;
    req.limit = 2;
    assert_eq!(ids(&idx, &req), [5, 6], "no words: by id, paged");
}

#[test]
fn a_change_replaces_the_product_and_a_delete_removes_it() {
    let idx = catalog();
    let mut p = idx.by_id(1).unwrap().unwrap();
    p.available = 0;
    let sold_out = change(p.clone(), 10);
    let staged = apply(&idx, std::slice::from_ref(&sold_out), 6);
    assert_eq!(staged.indexed, 1, "selling out is a change searches see");
    assert_eq!(idx.by_id(1).unwrap().unwrap().available, 0);
    assert_eq!(idx.len(), 6);
    let again = apply(&idx, &[sold_out], 10);
    assert_eq!(
        (again.indexed, again.stock_only),
        (0, 0),
        "a row read twice is applied once"
    );
    let gone = Change {
        product: p,
        version: 11,
        deleted: true,
    };
    apply(&idx, &[gone], 10);
    assert!(idx.by_id(1).unwrap().is_none());
    assert_eq!(idx.by_slug("red-enamel-mug").unwrap().unwrap().id, 2);
}

fn in_stock_ids(idx: &ProductIndex) -> Vec<i64> {
    let mut req = request("");
    req.filters.in_stock = true;
    sorted(ids(idx, &req))
}

#[test]
fn a_sale_shows_at_once_and_leaves_the_index_alone() {
    let idx = catalog();
    let mut knife = idx.by_id(4).unwrap().unwrap();
    knife.available = 7;
    let staged = idx.stage(&[change(knife.clone(), 10)], 6).unwrap();
    assert_eq!((staged.indexed, staged.stock_only), (0, 1));
    // No commit: the count is live as soon as it is staged.
    assert_eq!(idx.by_id(4).unwrap().unwrap().available, 7);
    assert_eq!(idx.available(4), Some(7));
    let found = idx.search(&request("chef knife")).unwrap();
    assert_eq!(found.items[0].available, 7);
    assert_eq!(found.in_stock, 1);
    assert_eq!(in_stock_ids(&idx), [1, 3, 4, 5, 6]);
    knife.available = 6;
    let older = idx.stage(&[change(knife, 9)], 10).unwrap();
    assert_eq!(older.stock_only, 0, "an older row changes nothing");
    assert_eq!(idx.available(4), Some(7));
}

#[test]
fn selling_out_restocking_and_any_other_field_go_through_the_index() {
    let idx = catalog();
    let mut p = idx.by_id(4).unwrap().unwrap();
    p.available = 0;
    assert_eq!(apply(&idx, &[change(p.clone(), 10)], 6).indexed, 1);
    assert_eq!(in_stock_ids(&idx), [1, 3, 5, 6]);
    p.available = 3;
    assert_eq!(apply(&idx, &[change(p.clone(), 11)], 10).indexed, 1);
    assert_eq!(in_stock_ids(&idx), [1, 3, 4, 5, 6]);
    p.available = 2;
    p.price_cents = 100;
    assert_eq!(apply(&idx, &[change(p.clone(), 12)], 11).indexed, 1);
    let mut cheapest = request("");
    cheapest.sort = Sort::PriceAsc;
    assert_eq!(ids(&idx, &cheapest)[0], 4);
    assert_eq!(idx.by_id(4).unwrap().unwrap().available, 2);
    p.name = "Chef Cleaver".into();
    p.available = 1;
    assert_eq!(apply(&idx, &[change(p, 13)], 12).indexed, 1);
    assert_eq!(ids(&idx, &request("cleaver")), [4]);
}

#[test]
fn a_sale_right_after_an_edit_in_one_batch_keeps_both() {
    let idx = catalog();
    let mut p = idx.by_id(5).unwrap().unwrap();
    p.price_cents = 500;
    let edited = change(p.clone(), 10);
    p.available = 1;
    let sold = change(p, 11);
    let staged = apply(&idx, &[edited, sold], 6);
    assert_eq!((staged.indexed, staged.stock_only), (2, 0));
    let now = idx.by_id(5).unwrap().unwrap();
    assert_eq!((now.price_cents, now.available), (500, 1));
    let mut p = now;
    p.available = 0;
    let staged = apply(&idx, &[change(p, 12)], 11);
    assert_eq!(staged.indexed, 1, "held at the last version staged");
}

#[test]
fn suggestions_are_names_best_first() {
    let idx = catalog();
    let s: Vec<String> = idx
        .suggest(&words("te", MAX_WORDS), 8)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        s,
        ["Two Person Tent"],
        "a description match is no name suggestion"
    );
    assert!(idx.suggest(&[], 8).unwrap().is_empty());
}
