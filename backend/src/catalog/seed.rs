//! A deterministic demo catalog: the same N products (names, prices, stock, images) on every run.
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};

use crate::domain::slugify;
use crate::store::media::Media;
use crate::store::{NewProduct, Store};
use crate::sys::clock::now_ms;

const CATEGORIES: [(&str, &[&str]); 12] = [
    (
        "Kitchen",
        &[
            "Mug",
            "Teapot",
            "Skillet",
            "Chef Knife",
            "Cutting Board",
            "Spice Jar",
        ],
    ),
    (
        "Outdoors",
        &[
            "Tent",
            "Backpack",
            "Water Bottle",
            "Headlamp",
            "Camp Stove",
            "Hammock",
        ],
    ),
    (
        "Electronics",
        &[
            "Headphones",
            "Speaker",
            "Charger",
            "Keyboard",
            "Mouse",
            "Webcam",
        ],
    ),
    (
        "Home",
        &[
            "Lamp",
            "Throw Blanket",
            "Vase",
            "Candle",
            "Wall Clock",
            "Cushion",
        ],
    ),
    (
        "Books",
        &[
            "Notebook",
            "Cookbook",
            "Field Guide",
            "Atlas",
            "Journal",
            "Sketchbook",
        ],
    ),
    (
        "Toys",
        &[
            "Puzzle",
            "Kite",
            "Building Set",
            "Plush Bear",
            "Yo-Yo",
            "Board Game",
        ],
    ),
    (
        "Garden",
        &[
            "Planter",
            "Watering Can",
            "Trowel",
            "Seed Kit",
            "Hose Reel",
            "Bird Feeder",
        ],
    ),
    (
        "Fitness",
        &[
            "Yoga Mat",
            "Kettlebell",
            "Jump Rope",
            "Foam Roller",
            "Dumbbell",
            "Resistance Band",
        ],
    ),
    (
        "Apparel",
        &[
            "Hoodie",
            "T-Shirt",
            "Beanie",
            "Scarf",
            "Rain Jacket",
            "Socks",
        ],
    ),
    (
        "Office",
        &[
            "Desk Organizer",
            "Pen Set",
            "Monitor Stand",
            "Stapler",
            "Desk Mat",
            "Planner",
        ],
    ),
    (
        "Pets",
        &[
            "Dog Bed",
            "Cat Toy",
            "Leash",
            "Pet Bowl",
            "Scratching Post",
            "Treat Pouch",
        ],
    ),
    (
        "Beauty",
        &[
            "Soap Bar",
            "Face Cream",
            "Hair Brush",
            "Lip Balm",
            "Bath Salts",
            "Hand Lotion",
        ],
    ),
];
const ADJECTIVES: [&str; 16] = [
    "Classic",
    "Rustic",
    "Modern",
    "Compact",
    "Deluxe",
    "Everyday",
    "Vintage",
    "Ultralight",
    "Handmade",
    "Cozy",
    "Sturdy",
    "Sleek",
    "Bright",
    "Essential",
    "Premium",
    "Nordic",
];
const MATERIALS: [&str; 10] = [
    "Oak", "Steel", "Ceramic", "Cotton", "Bamboo", "Copper", "Wool", "Linen", "Glass", "Recycled",
];
const COLORS: [&str; 8] = [
    "#2f6f8f", "#8f2f4f", "#3f8f2f", "#8f6f2f", "#5f2f8f", "#2f8f7f", "#8f3f2f", "#4f4f4f",
];

/// splitmix64: a tiny deterministic mixer, so product i is the same on every machine.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub fn sku(i: u32) -> String {
    format!("SKU-{i:06}")
}

pub fn product(i: u32) -> NewProduct {
    let h = mix(u64::from(i));
    let (category, nouns) = CATEGORIES[(h % 12) as usize];
    let noun = nouns[((h >> 8) % nouns.len() as u64) as usize];
    let adjective = ADJECTIVES[((h >> 16) % 16) as usize];
    let material = MATERIALS[((h >> 24) % 10) as usize];
    let name = format!("{adjective} {material} {noun} No. {i}");
    // Prices end in 99 cents between $4.99 and $499.99; about 5% of the catalog is sold out.
    let price_cents = ((h >> 32) % 495 + 4) as i64 * 100 + 99;
    let available = if (h >> 40).is_multiple_of(20) {
        0
    } else {
        ((h >> 44) % 200) as i64 + 1
    };
    NewProduct {
        sku: sku(i),
        slug: slugify(&name),
        description: format!(
            "A {} {} {} made from {}. Built for {} lovers who want something that lasts; item {i} of our {} range.",
            adjective.to_lowercase(), material.to_lowercase(), noun.to_lowercase(), material.to_lowercase(), category.to_lowercase(), category.to_lowercase()
        ),
        category: category.to_owned(),
        name,
        price_cents,
        available,
        image_key: None,
    }
}

/// A small SVG card per product: unique bytes, so content addressing stores one object each.
pub fn image(p: &NewProduct, i: u32) -> Bytes {
    let color = COLORS[(mix(u64::from(i) ^ 0xabcdef) % COLORS.len() as u64) as usize];
    let initials: String = p
        .name
        .split_whitespace()
        .take(3)
        .filter_map(|w| w.chars().next())
        .collect();
    Bytes::from(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400"><rect width="400" height="400" fill="{color}"/><text x="200" y="215" font-family="sans-serif" font-size="96" fill="#fff" text-anchor="middle">{initials}</text><text x="200" y="300" font-family="sans-serif" font-size="22" fill="#fff" text-anchor="middle">{}</text></svg>"##,
        p.sku
    ))
}

/// Rows per insert statement, 11 bind parameters each: SQLite takes at most 32,766 per statement
/// (Postgres 65,535).
const BATCH: usize = 2_500;
/// Inserts in flight at once (Postgres overlaps them; SQLite's single writer queues them).
const IN_FLIGHT: usize = 4;

async fn with_image(media: &Media, i: u32) -> anyhow::Result<NewProduct> {
    let mut p = product(i);
    p.image_key = Some(media.put(image(&p, i), "svg").await?);
    Ok(p)
}

/// Seeds `count` products (with a generated SVG image each when `svg_images`), unless they are
/// there already.
pub async fn run(
    store: Arc<dyn Store>,
    media: Media,
    count: u32,
    svg_images: bool,
) -> anyhow::Result<()> {
    if count == 0 {
        return Ok(());
    }
    let ends = store.stock(&[sku(1), sku(count)]).await?;
    if ends.len() == 2 {
        println!("catalog already seeded with {count} products");
        return Ok(());
    }
    let bar = ProgressBar::new(u64::from(count));
    bar.set_style(ProgressStyle::with_template(
        "seeding {bar:40} {pos}/{len} products ({per_sec}, {eta} left)",
    )?);
    let ids: Vec<u32> = (1..=count).collect();
    // created_at = start + product number: distinct, so "newest" is the same order on every run.
    let start = now_ms();
    let batch = if svg_images { 500 } else { BATCH };
    let inserted: u64 = futures::stream::iter(ids.chunks(batch))
        .map(|chunk| {
            let (store, media, bar) = (store.clone(), media.clone(), bar.clone());
            async move {
                let products: Vec<NewProduct> = if svg_images {
                    futures::stream::iter(chunk.iter().map(|i| with_image(&media, *i)))
                        .buffer_unordered(16)
                        .try_collect()
                        .await?
                } else {
                    chunk.iter().map(|i| product(*i)).collect()
                };
                let first = i64::from(chunk[0]);
                let n = store.seed_products(&products, start + first).await?;
                bar.inc(chunk.len() as u64);
                anyhow::Ok(n)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .try_fold(0, |sum, n| async move { Ok(sum + n) })
        .await?;
    bar.finish_and_clear();
    println!("seeded {inserted} new products ({count} requested)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_deterministic_and_sane() {
        let a = product(42);
        let b = product(42);
        assert_eq!(a.name, b.name);
        assert_eq!(a.price_cents, b.price_cents);
        assert_ne!(product(1).name, product(2).name);
        for i in 1..2000 {
            let p = product(i);
            assert!((499..=49_999).contains(&p.price_cents), "{}", p.price_cents);
            assert!(p.available >= 0);
        }
        assert!(
            (1..2000).any(|i| product(i).available == 0),
            "some products are sold out"
        );
    }
}
