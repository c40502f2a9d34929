//! schema.org structured data as JSON-LD, and its safe placement inside a `<script>` element.
use serde_json::{json, Value};

use super::Site;
use crate::catalog::CatalogProduct;

/// JSON for inside `<script type="application/ld+json">`: the HTML parser ends the element at the
/// first `</script` whatever the JSON means, so `<` (and `>` and `&`, for parsers that look for
/// `<!--` or entities) is written as its JSON escape. These characters only occur inside strings,
/// where the escape reads back as the same character.
pub fn script(doc: &Value) -> String {
    let text = doc.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// An amount in minor units as a decimal string. The shop's currencies have two decimals (USD):
/// whole division, no rounding.
pub fn price(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

pub fn availability(available: i64) -> &'static str {
    if available > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    }
}

/// A `Product` with its one `Offer`; `url` and `image` are absolute.
pub fn product(site: &Site, p: &CatalogProduct, url: &str, image: Option<&str>) -> Value {
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name,
        "description": p.description,
        "sku": p.sku,
        "category": p.category,
        "url": url,
        "brand": { "@type": "Brand", "name": site.name },
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": price(p.price_cents),
            "priceCurrency": p.currency,
            "availability": availability(p.available),
            "itemCondition": "https://schema.org/NewCondition",
            "seller": { "@type": "Organization", "name": site.name },
        },
    });
    if let Some(image) = image {
        doc["image"] = json!([image]);
    }
    doc
}

/// `BreadcrumbList` of (name, absolute URL); the last crumb (the page itself) may have no URL.
pub fn breadcrumbs(crumbs: &[(&str, Option<String>)]) -> Value {
    let items: Vec<Value> = crumbs
        .iter()
        .enumerate()
        .map(|(i, (name, url))| {
            let mut item = json!({ "@type": "ListItem", "position": i + 1, "name": name });
            if let Some(url) = url {
                item["item"] = json!(url);
            }
            item
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    })
}

pub fn organization(site: &Site) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site.name,
        "url": site.absolute("/"),
        "logo": site.absolute("/favicon.svg"),
    })
}

/// The `WebSite` with a `SearchAction` into the catalog's search.
pub fn website(site: &Site) -> Value {
    json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.name,
        "url": site.absolute("/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": site.absolute("/products?q={search_term_string}"),
            },
            "query-input": "required name=search_term_string",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_end_tag_in_a_value_cannot_end_the_script() {
        let doc = json!({ "name": "</script><script>alert(1)</script> & <!--" });
        let s = script(&doc);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, doc, "the escapes read back as the same text");
    }

    #[test]
    fn prices_are_decimal_strings_of_minor_units() {
        assert_eq!(price(0), "0.00");
        assert_eq!(price(5), "0.05");
        assert_eq!(price(129_999), "1299.99");
        assert_eq!(price(-250), "-2.50");
    }
}
