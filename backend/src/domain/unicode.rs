//! Invisible Unicode. Bidi overrides and zero-width characters make text read differently from what
//! it is (an address shown reversed in the back office, two emails that look the same), so they are
//! refused; everything else is stored NFC-normalized, so equal-looking text compares equal.
use unicode_normalization::UnicodeNormalization;

/// Bidi embeddings/overrides/isolates and marks, zero-width characters, the BOM, soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// NFC form, or a reason when the text hides characters.
pub fn visible_nfc(s: &str) -> Result<String, String> {
    if s.chars().any(is_invisible) {
        return Err("must not contain invisible or direction-changing characters".into());
    }
    Ok(s.nfc().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_refused() {
        assert!(visible_nfc("Ada\u{202E}ecnalevoL").is_err());
        assert!(visible_nfc("ad\u{200B}min").is_err());
        assert!(visible_nfc("\u{FEFF}Ada").is_err());
    }

    #[test]
    fn text_is_nfc_normalized() {
        assert_eq!(visible_nfc("Cafe\u{0301}").unwrap(), "Caf\u{00E9}");
    }
}
