//! The SQL both databases share. The text is the same (sqlx binds `$n` on SQLite too), the types are
//! not, so one macro stamps the `Store` implementation out for each database; the dialect-specific bits
//! (full-text search, migrations, pools) live in each store's own module.

pub(crate) const PRODUCT_COLS: &str = "p.id, p.sku, p.slug, p.name, p.description, p.category, p.price_cents, p.currency, p.image_key, p.available, p.created_at";
pub(crate) const ORDER_COLS: &str = "id, user_id, cart_key, email, status, subtotal_cents, total_cents, currency, shipping_address, payment_brand, payment_last4, created_at, updated_at";

pub(crate) fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

macro_rules! impl_store {
    ($Store:ty, $DB:ty) => {
        use async_trait::async_trait;
        use sqlx::{QueryBuilder, Row};
        use $crate::error::ShortLine;
        use $crate::store::sql::{unique_violation, ORDER_COLS, PRODUCT_COLS};
        use $crate::store::*;

        impl $Store {
            fn push_filters(qb: &mut QueryBuilder<'_, $DB>, f: &ProductFilter, with_category: bool) {
                qb.push(" WHERE p.deleted_at IS NULL");
                if let (true, Some(c)) = (with_category, &f.category) {
                    qb.push(" AND p.category = ").push_bind(c.clone());
                }
                if let Some(min) = f.min_price {
                    qb.push(" AND p.price_cents >= ").push_bind(min);
                }
                if let Some(max) = f.max_price {
                    qb.push(" AND p.price_cents <= ").push_bind(max);
                }
                if f.in_stock {
                    qb.push(" AND p.available > 0");
                }
                if !f.words.is_empty() {
                    qb.push(" AND ");
                    Self::push_text_match(qb, &f.words);
                }
            }

            async fn load_items(&self, ids: &[String]) -> StoreResult<Vec<OrderItemRow>> {
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = QueryBuilder::<$DB>::new(
                    "SELECT order_id, product_id, sku, name, unit_price_cents, quantity FROM order_items WHERE order_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in ids {
                    sep.push_bind(id.clone());
                }
                qb.push(") ORDER BY order_id, product_id");
                Ok(qb.build_query_as().fetch_all(&self.reader).await?)
            }

            async fn with_items(&self, rows: Vec<OrderRow>) -> StoreResult<Vec<Order>> {
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let mut by_order: std::collections::HashMap<String, Vec<OrderItemRow>> = std::collections::HashMap::new();
                for item in self.load_items(&ids).await? {
                    by_order.entry(item.order_id.clone()).or_default().push(item);
                }
                Ok(rows
                    .into_iter()
                    .map(|row| Order { items: by_order.remove(&row.id).unwrap_or_default(), row })
                    .collect())
            }

            /// Puts order lines back on the shelf; used by declines, cancellations and the reaper.
            async fn restock(tx: &mut sqlx::Transaction<'_, $DB>, order_id: &str, now: i64) -> StoreResult<()> {
                let items: Vec<(i64, i64)> =
                    sqlx::query_as("SELECT product_id, quantity FROM order_items WHERE order_id = $1 ORDER BY product_id")
                        .bind(order_id)
                        .fetch_all(&mut **tx)
                        .await?;
                for (product_id, quantity) in items {
                    sqlx::query("UPDATE products SET available = available + $1, updated_at = $2 WHERE id = $3")
                        .bind(quantity)
                        .bind(now)
                        .bind(product_id)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }
        }

        #[async_trait]
        impl Store for $Store {
            async fn migrate(&self) -> anyhow::Result<()> {
                self.run_migrations().await
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.reader).await?;
                Ok(())
            }

            fn pool_stats(&self) -> PoolStats {
                PoolStats { size: self.reader.size(), idle: self.reader.num_idle() as u32 }
            }

            async fn close(&self) {
                self.writer.close().await;
                self.reader.close().await;
            }

            async fn list_products(&self, f: &ProductFilter) -> StoreResult<(Vec<Product>, i64, Vec<CategoryCount>)> {
                let mut list = QueryBuilder::<$DB>::new(format!("SELECT {PRODUCT_COLS} FROM products p"));
                Self::push_filters(&mut list, f, true);
                list.push(" ORDER BY ");
                match f.sort {
                    Sort::PriceAsc => { list.push("p.price_cents ASC, p.id ASC"); }
                    Sort::PriceDesc => { list.push("p.price_cents DESC, p.id ASC"); }
                    Sort::Newest => { list.push("p.created_at DESC, p.id DESC"); }
                    Sort::Relevance if !f.words.is_empty() => {
                        Self::push_rank(&mut list, &f.words);
                        list.push(", p.id ASC");
                    }
                    Sort::Relevance => { list.push("p.id ASC"); }
                }
                list.push(" LIMIT ").push_bind(f.limit).push(" OFFSET ").push_bind(f.offset);

                let mut count = QueryBuilder::<$DB>::new("SELECT COUNT(*) FROM products p");
                Self::push_filters(&mut count, f, true);
                // Facet counts ignore the category filter so a shopper can switch category.
                let mut facets = QueryBuilder::<$DB>::new("SELECT p.category AS name, COUNT(*) AS count FROM products p");
                Self::push_filters(&mut facets, f, false);
                facets.push(" GROUP BY p.category ORDER BY p.category");

                let (items, total, cats) = tokio::try_join!(
                    list.build_query_as::<Product>().fetch_all(&self.reader),
                    count.build_query_scalar::<i64>().fetch_one(&self.reader),
                    facets.build_query_as::<CategoryCount>().fetch_all(&self.reader),
                )?;
                Ok((items, total, cats))
            }

            async fn product(&self, id: i64) -> StoreResult<Product> {
                sqlx::query_as(&format!("SELECT {PRODUCT_COLS} FROM products p WHERE p.id = $1 AND p.deleted_at IS NULL"))
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?
                    .ok_or(StoreError::NotFound("product"))
            }

            async fn categories(&self) -> StoreResult<Vec<CategoryCount>> {
                Ok(sqlx::query_as(
                    "SELECT category AS name, COUNT(*) AS count FROM products WHERE deleted_at IS NULL GROUP BY category ORDER BY category",
                )
                .fetch_all(&self.reader)
                .await?)
            }

            async fn stock(&self, skus: &[String]) -> StoreResult<Vec<StockLevel>> {
                if skus.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = QueryBuilder::<$DB>::new("SELECT sku, available FROM products WHERE deleted_at IS NULL AND sku IN (");
                let mut sep = qb.separated(", ");
                for s in skus {
                    sep.push_bind(s.clone());
                }
                qb.push(") ORDER BY sku");
                Ok(qb.build_query_as().fetch_all(&self.reader).await?)
            }

            async fn create_product(&self, p: &NewProduct, now: i64) -> StoreResult<Product> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO products (sku, slug, name, description, category, price_cents, currency, image_key, available, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 'USD', $7, $8, $9, $9) RETURNING id",
                )
                .bind(&p.sku).bind(&p.slug).bind(&p.name).bind(&p.description).bind(&p.category)
                .bind(p.price_cents).bind(&p.image_key).bind(p.available).bind(now)
                .fetch_one(&self.writer)
                .await
                .map_err(|e| if unique_violation(&e) { StoreError::Conflict(format!("a product with SKU {} already exists", p.sku)) } else { e.into() })?;
                self.product(id).await
            }

            async fn seed_products(&self, ps: &[NewProduct], now: i64) -> StoreResult<u64> {
                if ps.is_empty() {
                    return Ok(0);
                }
                let mut qb = QueryBuilder::<$DB>::new(
                    "INSERT INTO products (sku, slug, name, description, category, price_cents, currency, image_key, available, created_at, updated_at) ",
                );
                qb.push_values(ps.iter().enumerate(), |mut b, (i, p)| {
                    // Distinct timestamps keep "newest" a stable order.
                    let at = now + i as i64;
                    b.push_bind(p.sku.clone()).push_bind(p.slug.clone()).push_bind(p.name.clone())
                        .push_bind(p.description.clone()).push_bind(p.category.clone()).push_bind(p.price_cents)
                        .push_bind("USD").push_bind(p.image_key.clone()).push_bind(p.available).push_bind(at).push_bind(at);
                });
                qb.push(" ON CONFLICT (sku) DO NOTHING");
                Ok(qb.build().execute(&self.writer).await?.rows_affected())
            }

            async fn update_product(&self, id: i64, p: &ProductPatch, now: i64) -> StoreResult<Product> {
                let done = sqlx::query(
                    "UPDATE products SET name = COALESCE($1, name), slug = COALESCE($2, slug), description = COALESCE($3, description),
                     category = COALESCE($4, category), price_cents = COALESCE($5, price_cents), updated_at = $6
                     WHERE id = $7 AND deleted_at IS NULL",
                )
                .bind(&p.name).bind(&p.slug).bind(&p.description).bind(&p.category).bind(p.price_cents).bind(now).bind(id)
                .execute(&self.writer)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound("product"));
                }
                self.product(id).await
            }

            async fn delete_product(&self, id: i64, now: i64) -> StoreResult<()> {
                // Soft delete: past orders keep pointing at it.
                let done = sqlx::query("UPDATE products SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                    .bind(now).bind(id).execute(&self.writer).await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound("product"));
                }
                Ok(())
            }

            async fn set_product_image(&self, id: i64, key: &str, now: i64) -> StoreResult<Product> {
                let done = sqlx::query("UPDATE products SET image_key = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL")
                    .bind(key).bind(now).bind(id).execute(&self.writer).await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound("product"));
                }
                self.product(id).await
            }

            async fn set_stock(&self, sku: &str, available: i64, actor: &str, now: i64) -> StoreResult<StockLevel> {
                let mut tx = self.writer.begin().await?;
                let old: Option<(i64, i64)> = sqlx::query_as(&format!(
                    "SELECT id, available FROM products WHERE sku = $1 AND deleted_at IS NULL{}",
                    Self::FOR_UPDATE
                ))
                .bind(sku)
                .fetch_optional(&mut *tx)
                .await?;
                let (id, old) = old.ok_or(StoreError::NotFound("product"))?;
                sqlx::query("UPDATE products SET available = $1, updated_at = $2 WHERE id = $3")
                    .bind(available).bind(now).bind(id).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO inventory_audit (product_id, sku, actor_email, old_available, new_available, at_ms) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id).bind(sku).bind(actor).bind(old).bind(available).bind(now)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(StockLevel { sku: sku.to_owned(), available })
            }

            async fn stock_audit(&self, sku: &str) -> StoreResult<Vec<AuditEntry>> {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1").bind(sku).fetch_optional(&self.reader).await?;
                exists.ok_or(StoreError::NotFound("product"))?;
                Ok(sqlx::query_as(
                    "SELECT at_ms, actor_email, old_available, new_available FROM inventory_audit WHERE sku = $1 ORDER BY id DESC LIMIT 200",
                )
                .bind(sku)
                .fetch_all(&self.reader)
                .await?)
            }

            async fn create_user(&self, email: &str, name: &str, password_hash: &str, role: &str, now: i64) -> StoreResult<User> {
                sqlx::query_as("INSERT INTO users (email, name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, email, name, role")
                    .bind(email).bind(name).bind(password_hash).bind(role).bind(now)
                    .fetch_one(&self.writer)
                    .await
                    .map_err(|e| if unique_violation(&e) { StoreError::Conflict("an account with this email already exists".into()) } else { e.into() })
            }

            async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>> {
                let row = sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(row.map(|r| {
                    (User { id: r.get("id"), email: r.get("email"), name: r.get("name"), role: r.get("role") }, r.get("password_hash"))
                }))
            }

            async fn set_password(&self, user_id: i64, password_hash: &str, role: &str) -> StoreResult<()> {
                sqlx::query("UPDATE users SET password_hash = $1, role = $2 WHERE id = $3")
                    .bind(password_hash).bind(role).bind(user_id).execute(&self.writer).await?;
                Ok(())
            }

            async fn create_session(&self, token_hash: &str, user_id: i64, expires_at: i64) -> StoreResult<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash).bind(user_id).bind(expires_at).execute(&self.writer).await?;
                Ok(())
            }

            async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
                Ok(sqlx::query_as(
                    "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
                )
                .bind(token_hash).bind(now)
                .fetch_optional(&self.reader)
                .await?)
            }

            async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.writer).await?;
                Ok(())
            }

            async fn record_login_failure(&self, email: &str, client: &str, now: i64) -> StoreResult<()> {
                sqlx::query("INSERT INTO login_failures (email, client, at_ms) VALUES ($1, $2, $3)")
                    .bind(email).bind(client).bind(now).execute(&self.writer).await?;
                Ok(())
            }

            async fn login_failures(&self, email: &str, client: &str, since: i64) -> StoreResult<(i64, i64)> {
                let by_email: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at_ms > $2")
                    .bind(email).bind(since).fetch_one(&self.reader).await?;
                let by_client: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE client = $1 AND at_ms > $2")
                    .bind(client).bind(since).fetch_one(&self.reader).await?;
                Ok((by_email, by_client))
            }

            async fn clear_login_failures(&self, email: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM login_failures WHERE email = $1").bind(email).execute(&self.writer).await?;
                Ok(())
            }

            async fn cart(&self, cart_key: &str) -> StoreResult<Vec<CartLine>> {
                Ok(sqlx::query_as(
                    "SELECT p.id AS product_id, p.sku, p.slug, p.name, p.image_key, p.price_cents AS unit_price_cents, c.quantity, p.available
                     FROM cart_items c JOIN products p ON p.id = c.product_id
                     WHERE c.cart_key = $1 AND p.deleted_at IS NULL ORDER BY c.added_at, p.id",
                )
                .bind(cart_key)
                .fetch_all(&self.reader)
                .await?)
            }

            async fn add_to_cart(&self, cart_key: &str, product_id: i64, quantity: i64, max: i64, now: i64) -> StoreResult<()> {
                let mut tx = self.writer.begin().await?;
                let available: Option<i64> = sqlx::query_scalar("SELECT available FROM products WHERE id = $1 AND deleted_at IS NULL")
                    .bind(product_id).fetch_optional(&mut *tx).await?;
                let available = available.ok_or(StoreError::NotFound("product"))?;
                let current: Option<i64> = sqlx::query_scalar("SELECT quantity FROM cart_items WHERE cart_key = $1 AND product_id = $2")
                    .bind(cart_key).bind(product_id).fetch_optional(&mut *tx).await?;
                let total = current.unwrap_or(0) + quantity;
                if total > max {
                    return Err(StoreError::Conflict(format!("at most {max} of one product per order")));
                }
                // A courtesy check (checkout is the authority): do not let a cart promise what is not there.
                if total > available {
                    return Err(StoreError::Conflict(format!("only {available} left in stock")));
                }
                sqlx::query(
                    "INSERT INTO cart_items (cart_key, product_id, quantity, added_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (cart_key, product_id) DO UPDATE SET quantity = $3",
                )
                .bind(cart_key).bind(product_id).bind(total).bind(now)
                .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_cart_quantity(&self, cart_key: &str, product_id: i64, quantity: i64) -> StoreResult<()> {
                let available: Option<i64> = sqlx::query_scalar(
                    "SELECT p.available FROM cart_items c JOIN products p ON p.id = c.product_id WHERE c.cart_key = $1 AND c.product_id = $2",
                )
                .bind(cart_key).bind(product_id).fetch_optional(&self.reader).await?;
                let available = available.ok_or(StoreError::NotFound("cart item"))?;
                if quantity > available {
                    return Err(StoreError::Conflict(format!("only {available} left in stock")));
                }
                let done = sqlx::query("UPDATE cart_items SET quantity = $1 WHERE cart_key = $2 AND product_id = $3")
                    .bind(quantity).bind(cart_key).bind(product_id).execute(&self.writer).await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound("cart item"));
                }
                Ok(())
            }

            async fn remove_from_cart(&self, cart_key: &str, product_id: i64) -> StoreResult<()> {
                let done = sqlx::query("DELETE FROM cart_items WHERE cart_key = $1 AND product_id = $2")
                    .bind(cart_key).bind(product_id).execute(&self.writer).await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound("cart item"));
                }
                Ok(())
            }

            async fn merge_carts(&self, from: &str, into: &str, max: i64) -> StoreResult<()> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "INSERT INTO cart_items (cart_key, product_id, quantity, added_at)
                     SELECT $1, product_id, quantity, added_at FROM cart_items WHERE cart_key = $2
                     ON CONFLICT (cart_key, product_id) DO UPDATE SET quantity = MIN_OF(cart_items.quantity + excluded.quantity, $3)"
                        .replace("MIN_OF", Self::LEAST).as_str(),
                )
                .bind(into).bind(from).bind(max)
                .execute(&mut *tx).await?;
                sqlx::query("DELETE FROM cart_items WHERE cart_key = $1").bind(from).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn begin_checkout(&self, o: &NewOrder, now: i64) -> StoreResult<CheckoutStart> {
                let mut tx = self.writer.begin().await?;
                // Claiming the key first serialises concurrent retries: on Postgres a second insert of the
                // same key waits for this transaction and then finds the row.
                let claimed = sqlx::query("INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
                    .bind(&o.idempotency_key).bind(&o.fingerprint).bind(now)
                    .execute(&mut *tx).await?.rows_affected() == 1;
                if !claimed {
                    drop(tx);
                    let rec = self.idempotency_record(&o.idempotency_key).await?.ok_or(StoreError::NotFound("idempotency key"))?;
                    return Ok(CheckoutStart::Replay(rec));
                }
                let lines: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT p.id, p.sku, p.name, p.price_cents, c.quantity FROM cart_items c JOIN products p ON p.id = c.product_id
                     WHERE c.cart_key = $1 AND p.deleted_at IS NULL ORDER BY p.id",
                )
                .bind(&o.cart_key)
                .fetch_all(&mut *tx)
                .await?;
                if lines.is_empty() {
                    return Err(StoreError::Conflict("cart is empty".into()));
                }
                // Rows in id order: concurrent checkouts lock in the same order and cannot deadlock.
                let mut short = Vec::new();
                for (id, sku, _, _, qty) in &lines {
                    let took = sqlx::query("UPDATE products SET available = available - $1, updated_at = $2 WHERE id = $3 AND available >= $1")
                        .bind(qty).bind(now).bind(id)
                        .execute(&mut *tx).await?.rows_affected();
                    if took != 1 {
                        let available: i64 = sqlx::query_scalar("SELECT available FROM products WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
                        short.push(ShortLine { product_id: *id, sku: sku.clone(), requested: *qty, available });
                    }
                }
                if !short.is_empty() {
                    return Err(StoreError::InsufficientStock(short));
                }
                let subtotal: i64 = lines.iter().map(|(_, _, _, price, qty)| price * qty).sum();
                sqlx::query(&format!(
                    "INSERT INTO orders ({ORDER_COLS}) VALUES ($1, $2, $3, $4, 'pending', $5, $5, 'USD', $6, $7, $8, $9, $9)"
                ))
                .bind(&o.id).bind(o.user_id).bind(&o.cart_key).bind(&o.email).bind(subtotal)
                .bind(&o.shipping_address).bind(&o.payment_brand).bind(&o.payment_last4).bind(now)
                .execute(&mut *tx).await?;
                let mut qb = QueryBuilder::<$DB>::new("INSERT INTO order_items (order_id, product_id, sku, name, unit_price_cents, quantity) ");
                qb.push_values(&lines, |mut b, (id, sku, name, price, qty)| {
                    b.push_bind(o.id.clone()).push_bind(*id).push_bind(sku.clone()).push_bind(name.clone()).push_bind(*price).push_bind(*qty);
                });
                qb.build().execute(&mut *tx).await?;
                sqlx::query("UPDATE idempotency_keys SET order_id = $1 WHERE key = $2")
                    .bind(&o.id).bind(&o.idempotency_key).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(CheckoutStart::Started(self.order(&o.id).await?))
            }

            async fn finish_checkout(&self, order_id: &str, key: &str, paid: bool, status: i64, body: &str, now: i64) -> StoreResult<Order> {
                let mut tx = self.writer.begin().await?;
                let to = if paid { "paid" } else { "cancelled" };
                let moved = sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'pending'")
                    .bind(to).bind(now).bind(order_id).execute(&mut *tx).await?.rows_affected();
                if moved == 1 {
                    if paid {
                        sqlx::query("DELETE FROM cart_items WHERE cart_key = (SELECT cart_key FROM orders WHERE id = $1)")
                            .bind(order_id).execute(&mut *tx).await?;
                    } else {
                        Self::restock(&mut tx, order_id, now).await?;
                    }
                }
                sqlx::query("UPDATE idempotency_keys SET response_status = $1, response_body = $2 WHERE key = $3")
                    .bind(status).bind(body).bind(key).execute(&mut *tx).await?;
                tx.commit().await?;
                self.order(order_id).await
            }

            async fn idempotency_record(&self, key: &str) -> StoreResult<Option<IdempotencyRecord>> {
                Ok(sqlx::query_as("SELECT fingerprint, order_id, response_status, response_body FROM idempotency_keys WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.reader)
                    .await?)
            }

            async fn order(&self, id: &str) -> StoreResult<Order> {
                let row: OrderRow = sqlx::query_as(&format!("SELECT {ORDER_COLS} FROM orders WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?
                    .ok_or(StoreError::NotFound("order"))?;
                Ok(self.with_items(vec![row]).await?.remove(0))
            }

            async fn orders_for_user(&self, user_id: i64) -> StoreResult<Vec<Order>> {
                let rows = sqlx::query_as(&format!("SELECT {ORDER_COLS} FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 100"))
                    .bind(user_id)
                    .fetch_all(&self.reader)
                    .await?;
                self.with_items(rows).await
            }

            async fn orders(&self, status: Option<&str>, limit: i64, offset: i64) -> StoreResult<(Vec<Order>, i64)> {
                let mut list = QueryBuilder::<$DB>::new(format!("SELECT {ORDER_COLS} FROM orders"));
                let mut count = QueryBuilder::<$DB>::new("SELECT COUNT(*) FROM orders");
                if let Some(s) = status {
                    list.push(" WHERE status = ").push_bind(s.to_owned());
                    count.push(" WHERE status = ").push_bind(s.to_owned());
                }
                list.push(" ORDER BY created_at DESC, id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
                let (rows, total) = tokio::try_join!(
                    list.build_query_as::<OrderRow>().fetch_all(&self.reader),
                    count.build_query_scalar::<i64>().fetch_one(&self.reader),
                )?;
                Ok((self.with_items(rows).await?, total))
            }

            async fn transition_order(&self, id: &str, from: &str, to: &str, now: i64) -> StoreResult<Order> {
                let mut tx = self.writer.begin().await?;
                let moved = sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(to).bind(now).bind(id).bind(from).execute(&mut *tx).await?.rows_affected();
                if moved != 1 {
                    return Err(StoreError::Conflict(format!("order is no longer {from}")));
                }
                if to == "cancelled" {
                    Self::restock(&mut tx, id, now).await?;
                }
                tx.commit().await?;
                self.order(id).await
            }

            async fn stale_pending_orders(&self, before: i64) -> StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar("SELECT id FROM orders WHERE status = 'pending' AND created_at < $1")
                    .bind(before).fetch_all(&self.reader).await?)
            }
        }
    };
}
