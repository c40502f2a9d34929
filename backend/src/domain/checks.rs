//! Validation that reports every field at fault at once, without knowing about HTTP: the http
//! layer turns [`Invalid`] into a 400 problem naming the fields.
use serde::Serialize;
use utoipa::ToSchema;

/// A field at fault, named by its dotted path in the request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The input was not valid: which fields, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, message)])
    }
}

pub const MAX_PER_PAGE: i64 = 100;

/// Collects field errors so a client sees every mistake at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.0.push(FieldError::new(field, m))).ok()
    }
    /// `page` (1–`max_page`, default 1) and `per_page` (1–[`MAX_PER_PAGE`], default
    /// `default_per_page`).
    pub fn paging(
        &mut self,
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
        max_page: i64,
    ) -> (i64, i64) {
        let page = self.check(
            "page",
            match page.unwrap_or(1) {
                p if (1..=max_page).contains(&p) => Ok(p),
                _ => Err(format!("must be between 1 and {max_page}")),
            },
        );
        let per_page = self.check(
            "per_page",
            match per_page.unwrap_or(default_per_page) {
                p @ 1..=MAX_PER_PAGE => Ok(p),
                _ => Err(format!("must be between 1 and {MAX_PER_PAGE}")),
            },
        );
        (page.unwrap_or(1), per_page.unwrap_or(default_per_page))
    }
    /// Adds an error on `field` that no single check could see (e.g. two fields disagree).
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.0))
        }
    }
    /// The valid value once every check passed: `build` unwraps the checked parts with `?`.
    pub fn finish_with<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Invalid> {
        self.finish()?;
        // Every check passed, so every part is there; an empty error list would mean a part
        // was left unchecked.
        build().ok_or(Invalid(Vec::new()))
    }
}
