//! Property: for any filters, sort and page, the index answers what a plain SQL query over the same
//! products answers (the rows, their order, the total and the category counts).
use proptest::prelude::*;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::SqlitePool;

use super::index::{Change, ProductIndex, SearchRequest};
use super::query::Filters;
use super::{CatalogProduct, Sort};

const PRODUCTS: u32 = 300;
const CATEGORIES: [&str; 4] = ["Kitchen", "Outdoors", "Books", "Nowhere"];

fn catalog() -> Vec<CatalogProduct> {
    (1..=PRODUCTS)
        .map(|i| {
            let p = crate::catalog::seed::product(i);
            CatalogProduct {
                id: i64::from(i),
                sku: p.sku,
                slug: p.slug,
                name: p.name,
                description: p.description,
                category: p.category,
                // Few distinct prices and times, so ties (broken by id) are common.
                price_cents: p.price_cents % 5_000,
                currency: "USD".into(),
                image_key: None,
                available: p.available,
                created_at: i64::from(i % 50),
                updated_at: 0,
                seo_title: None,
                seo_description: None,
            }
        })
        .collect()
}

fn index(ps: &[CatalogProduct]) -> ProductIndex {
    let idx = ProductIndex::create(None).unwrap();
    let changes: Vec<Change> = ps
        .iter()
        .map(|p| Change {
            product: p.clone(),
            version: p.id,
            deleted: false,
        })
        .collect();
    let staged = idx.stage(&changes, 0).unwrap();
    idx.commit().unwrap();
    idx.hold(&staged);
    idx
}

async fn reference_db(ps: &[CatalogProduct]) -> SqlitePool {
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::query("CREATE TABLE products (id INTEGER PRIMARY KEY, category TEXT, price_cents INTEGER, available INTEGER, created_at INTEGER)")
        .execute(&db)
        .await
        .unwrap();
    for p in ps {
        sqlx::query("INSERT INTO products VALUES ($1, $2, $3, $4, $5)")
            .bind(p.id)
            .bind(&p.category)
            .bind(p.price_cents)
            .bind(p.available)
            .bind(p.created_at)
            .execute(&db)
            .await
            .unwrap();
    }
    db
}

fn where_clause(f: &Filters, with_category: bool) -> String {
    let mut w = vec!["1 = 1".to_owned()];
    if let (Some(c), true) = (&f.category, with_category) {
        w.push(format!("category = '{c}'"));
    }
    if let Some(lo) = f.min_price {
        w.push(format!("price_cents >= {lo}"));
    }
    if let Some(hi) = f.max_price {
        w.push(format!("price_cents <= {hi}"));
    }
    if f.in_stock {
        w.push("available > 0".into());
    }
    w.join(" AND ")
}

type Answer = (Vec<i64>, u64, Vec<(String, u64)>);

async fn reference(db: &SqlitePool, req: &SearchRequest) -> Answer {
    let order = match req.sort {
        Sort::Relevance => "id ASC",
        Sort::PriceAsc => "price_cents ASC, id ASC",
        Sort::PriceDesc => "price_cents DESC, id ASC",
        Sort::Newest => "created_at DESC, id DESC",
    };
    let w = where_clause(&req.filters, true);
    let sql = format!(
        "SELECT id FROM products WHERE {w} ORDER BY {order} LIMIT {} OFFSET {}",
        req.limit, req.offset
    );
    let ids: Vec<i64> = sqlx::query_scalar(&sql).fetch_all(db).await.unwrap();
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM products WHERE {w}"))
        .fetch_one(db)
        .await
        .unwrap();
    let cats = format!(
        "SELECT category, COUNT(*) FROM products WHERE {} GROUP BY category ORDER BY category",
        where_clause(&req.filters, false)
    );
    let cats: Vec<(String, i64)> = sqlx::query_as(&cats).fetch_all(db).await.unwrap();
    (
        ids,
        total as u64,
        cats.into_iter().map(|(c, n)| (c, n as u64)).collect(),
    )
}

fn requests() -> impl Strategy<Value = SearchRequest> {
    let sort = prop_oneof![
        Just(Sort::Relevance),
        Just(Sort::PriceAsc),
        Just(Sort::PriceDesc),
        Just(Sort::Newest)
    ];
    (
        proptest::option::of(proptest::sample::select(CATEGORIES.to_vec())),
        proptest::option::of(0i64..5_000),
        proptest::option::of(0i64..5_000),
        any::<bool>(),
        sort,
        0usize..6,
        1usize..40,
    )
        .prop_map(
            |(category, min_price, max_price, in_stock, sort, page, per_page)| SearchRequest {
                words: vec![],
                filters: Filters {
                    category: category.map(str::to_owned),
                    min_price,
                    max_price,
                    in_stock,
                },
                sort,
                offset: page * per_page,
                limit: per_page,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_index_answers_what_sql_answers(req in requests()) {
        thread_local! {
            static FIXTURE: (ProductIndex, SqlitePool, tokio::runtime::Runtime) = {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let ps = catalog();
                let db = rt.block_on(reference_db(&ps));
                (index(&ps), db, rt)
            };
        }
        FIXTURE.with(|(idx, db, rt)| {
            let got = idx.search(&req).unwrap();
            let want = rt.block_on(reference(db, &req));
            let ids: Vec<i64> = got.items.iter().map(|p| p.id).collect();
            prop_assert_eq!(&ids, &want.0);
            prop_assert_eq!(got.total, want.1);
            prop_assert_eq!(&got.categories, &want.2);
            Ok(())
        })?;
    }
}
