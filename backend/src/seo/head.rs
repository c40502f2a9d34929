//! A page's head elements: title, description, robots, canonical, Open Graph, Twitter card and
//! JSON-LD. Every value is escaped for where it goes (html_escape for text and attributes,
//! `jsonld::script` inside `<script>`).
use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute_to_string, encode_text_to_string};

use super::{jsonld, Site};

/// Where search engines cut a description (Google's snippets show about this many characters).
pub const DESCRIPTION_CHARS: usize = 160;

#[derive(Debug, Default)]
pub struct Head {
    pub title: String,
    pub description: String,
    /// Absolute; `None` for pages that have no canonical form (errors).
    pub canonical: Option<String>,
    /// `noindex` pages (search results, errors) still let crawlers follow their links.
    pub noindex: bool,
    /// `website` or `product`.
    pub og_type: &'static str,
    /// Absolute.
    pub image: Option<String>,
    /// More Open Graph properties (`product:price:amount`, …).
    pub og_extra: Vec<(&'static str, String)>,
    pub json_ld: Vec<serde_json::Value>,
}

fn meta(out: &mut String, key: &str, name: &str, content: &str) {
    let _ = write!(out, "<meta {key}=\"{name}\" content=\"");
    encode_double_quoted_attribute_to_string(content, out);
    out.push_str("\" />\n");
}

/// The first `max` characters of `text` on one line, cut at a word with an ellipsis when longer.
pub fn summary(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max - 1).collect();
    let ends_a_word = flat[cut.len()..].starts_with(' ');
    let at_word = match cut.rfind(' ') {
        Some(i) if !ends_a_word && i > max / 2 => i,
        _ => cut.len(),
    };
    format!(
        "{}…",
        cut[..at_word].trim_end_matches([',', '.', ';', ':', ' '])
    )
}

impl Head {
    pub fn render(&self, site: &Site) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("<title>");
        encode_text_to_string(&self.title, &mut out);
        out.push_str("</title>\n");
        meta(&mut out, "name", "description", &self.description);
        if self.noindex {
            meta(&mut out, "name", "robots", "noindex, follow");
        }
        if let Some(url) = &self.canonical {
            out.push_str("<link rel=\"canonical\" href=\"");
            encode_double_quoted_attribute_to_string(url, &mut out);
            out.push_str("\" />\n");
        }
        meta(&mut out, "property", "og:site_name", &site.name);
        meta(&mut out, "property", "og:type", self.og_type);
        meta(&mut out, "property", "og:title", &self.title);
        meta(&mut out, "property", "og:description", &self.description);
        if let Some(url) = &self.canonical {
            meta(&mut out, "property", "og:url", url);
        }
        if let Some(image) = &self.image {
            meta(&mut out, "property", "og:image", image);
        }
        for (property, value) in &self.og_extra {
            meta(&mut out, "property", property, value);
        }
        let card = if self.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        };
        meta(&mut out, "name", "twitter:card", card);
        meta(&mut out, "name", "twitter:title", &self.title);
        meta(&mut out, "name", "twitter:description", &self.description);
        if let Some(image) = &self.image {
            meta(&mut out, "name", "twitter:image", image);
        }
        for doc in &self.json_ld {
            out.push_str("<script type=\"application/ld+json\">");
            out.push_str(&jsonld::script(doc));
            out.push_str("</script>\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(summary("Short  and\nsweet.", 160), "Short and sweet.");
        let long = "word ".repeat(100);
        let s = summary(&long, 30);
        assert!(s.chars().count() <= 30, "{s}");
        assert_eq!(s, "word word word word word word…");
    }

    #[test]
    fn markup_in_a_title_or_description_stays_text() {
        let head = Head {
            title: "</title><script>alert(1)</script>".into(),
            description: "\" onload=\"alert(1)".into(),
            og_type: "website",
            ..Head::default()
        };
        let html = head.render(&Site::default());
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("\" onload"), "{html}");
        assert!(html.contains("&lt;/title&gt;&lt;script&gt;"), "{html}");
    }
}
