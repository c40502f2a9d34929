//! The products a guest cart's lines name, from this replica's catalog index where it can.
use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::domain::CartItem;
use crate::store::{CartLine, Product, Store, StoreError, StoreResult};

/// A product's shelf count as this replica's catalog has it (read-your-writes is not needed to
/// check a cart line; the checkout reads the database). No such product, or a deleted one, is
/// [`StoreError::NotFound`]. See [`products`].
pub(super) async fn available(store: &dyn Store, catalog: &Catalog, id: i64) -> StoreResult<i64> {
    let product = products(store, catalog, &[id]).await?.remove(&id);
    Ok(product.ok_or(StoreError::NotFound("product"))?.available)
}

/// The products among `ids`. A complete index knows every product: an id it does not hold is no
/// product (or one created a moment ago on another replica, which this one's feed applies within
/// milliseconds), so a cookie naming unknown ids costs the database nothing. The database is asked
/// only while the index is still being built (or cannot be read), once for all the ids it lacks.
async fn products(
    store: &dyn Store,
    catalog: &Catalog,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Product>> {
    let mut found = HashMap::with_capacity(ids.len());
    let mut lacking = Vec::new();
    match catalog.index() {
        Some(index) => {
            for &id in ids {
                match index.by_id(id) {
                    Ok(Some(p)) => {
                        found.insert(id, p);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, id, "catalog: could not read a product");
                        lacking.push(id);
                    }
                }
            }
        }
        None => lacking.extend_from_slice(ids),
    }
    if !lacking.is_empty() {
        found.extend(
            store
                .products(&lacking)
                .await?
                .into_iter()
                .map(|p| (p.id, p)),
        );
    }
    Ok(found)
}

/// The cart as a shopper sees it; lines of products gone from the catalog are left out (as the
/// stored cart's join leaves them out).
pub(super) async fn lines(
    store: &dyn Store,
    catalog: &Catalog,
    items: &[CartItem],
) -> StoreResult<Vec<CartLine>> {
    let ids: Vec<i64> = items.iter().map(|l| l.product_id).collect();
    let mut found = products(store, catalog, &ids).await?;
    Ok(items
        .iter()
        .filter_map(|item| {
            let p = found.remove(&item.product_id)?;
            Some(CartLine {
                product_id: p.id,
                sku: p.sku,
                slug: p.slug,
                name: p.name,
                image_key: p.image_key,
                unit_price_cents: p.price_cents,
                quantity: item.quantity,
                available: p.available,
            })
        })
        .collect())
}
