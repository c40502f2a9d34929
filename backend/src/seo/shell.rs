//! The built SPA's `index.html` as a template: its own title and description are cut out, a page's
//! head goes before `</head>` and its body inside `<div id="root">`, where React takes over.
use std::path::Path;

use anyhow::Context;

const ROOT: &str = r#"<div id="root"></div>"#;

#[derive(Debug, Clone)]
pub struct Shell {
    /// From `<!doctype html>` up to `</head>`, without the title and the description.
    head: String,
    /// From `</head>` up to the root element's content.
    to_root: String,
    /// After the root element's content.
    after_root: String,
    /// The SPA's own title and description: the home page's, unless configured otherwise.
    pub title: String,
    pub description: String,
}

/// Where `<tag …>` starts and the index just past its end (`</tag>` when `closing`, else `>`).
fn find_tag(html: &str, open: &str, closing: Option<&str>) -> Option<(usize, usize)> {
    let start = html.find(open)?;
    let end = match closing {
        Some(close) => start + html[start..].find(close)? + close.len(),
        None => start + html[start..].find('>')? + 1,
    };
    Some((start, end))
}

/// The value of `name="…"` inside one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let from = tag.find(&key)? + key.len();
    Some(&tag[from..from + tag[from..].find('"')?])
}

impl Shell {
    pub fn load(path: &Path) -> anyhow::Result<Shell> {
        let html =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Shell::parse(&html)
    }

    pub fn parse(html: &str) -> anyhow::Result<Shell> {
        let mut html = html.to_owned();
        let (t0, t1) = find_tag(&html, "<title>", Some("</title>")).context("no <title>")?;
        let title = html[t0 + "<title>".len()..t1 - "</title>".len()]
            .trim()
            .to_owned();
        html.replace_range(t0..t1, "");
        let (d0, d1) =
            find_tag(&html, r#"<meta name="description""#, None).context("no meta description")?;
        let description = attribute(&html[d0..d1], "content")
            .context("meta description without content")?
            .to_owned();
        html.replace_range(d0..d1, "");
        let head_end = html.find("</head>").context("no </head>")?;
        let root = html.find(ROOT).context("no empty <div id=\"root\">")?;
        anyhow::ensure!(head_end < root, "the root element is inside the head");
        let root_content = root + ROOT.len() - "</div>".len();
        // The cut leaves blank lines behind: keep the output tidy for people reading the source.
        let head = html[..head_end]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Shell {
            head: head + "\n",
            to_root: html[head_end..root_content].to_owned(),
            after_root: html[root_content..].to_owned(),
            title: html_escape::decode_html_entities(&title).into_owned(),
            description: html_escape::decode_html_entities(&description).into_owned(),
        })
    }

    /// The whole page: `head` is the rendered head elements, `body` the root element's content.
    pub fn page(&self, head: &str, body: &str) -> String {
        let mut out = String::with_capacity(
            self.head.len() + head.len() + self.to_root.len() + body.len() + self.after_root.len(),
        );
        out.push_str(&self.head);
        out.push_str(head);
        out.push_str(&self.to_root);
        out.push_str(body);
        out.push_str(&self.after_root);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VITE: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="Goods &amp; more." />
    <title>ecomm</title>
    <script type="module" crossorigin src="/assets/index-abc.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
"#;

    #[test]
    fn the_shell_loses_its_title_and_description_and_takes_a_head_and_a_body() {
        let shell = Shell::parse(VITE).unwrap();
        assert_eq!(shell.title, "ecomm");
        assert_eq!(shell.description, "Goods & more.");
        let page = shell.page("<title>T</title>\n", "<h1>B</h1>");
        assert!(!page.contains("<title>ecomm"), "{page}");
        assert!(!page.contains("Goods"), "{page}");
        assert!(page.contains("<title>T</title>\n</head>"), "{page}");
        assert!(
            page.contains(r#"<div id="root"><h1>B</h1></div>"#),
            "{page}"
        );
        assert!(page.contains("/assets/index-abc.js"), "{page}");
    }

    #[test]
    fn a_shell_without_a_root_element_is_refused() {
        let err = Shell::parse(&VITE.replace(ROOT, "")).unwrap_err();
        assert!(err.to_string().contains("root"), "{err}");
    }
}
