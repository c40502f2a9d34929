//! `--payments test` approves test cards and charges nothing, so it must not run where anything is
//! real. Production shows in two settings a development setup does not have: cookies marked
//! Secure (the site is behind TLS) and a database reached over TLS (`sslmode` require, verify-ca
//! or verify-full; the chart's database parts default to verify-full). Either stops `serve`
//! unless the loud override says this is on purpose (a staging copy of production).
//!
//! A database host that is not loopback is not a marker: development stacks name theirs
//! (`db` in a compose file, the lab's fault proxy) while production always asks for TLS.
use super::ServeSettings;
use crate::payments::PaymentsMode;

/// The environment variable of the override, named so that nobody sets it by accident.
pub const OVERRIDE_ENV: &str = "ECOMM_I_UNDERSTAND_TEST_PAYMENTS_ARE_FAKE";

impl ServeSettings {
    /// Refuses the test gateway next to production settings, unless overridden.
    pub fn refuse_test_payments_in_production(&self) -> anyhow::Result<()> {
        if self.payments.mode != Some(PaymentsMode::Test) {
            return Ok(());
        }
        let mut markers = Vec::new();
        if self.cookie_secure {
            markers.push("secure cookies (ECOMM_COOKIE_SECURE)".to_owned());
        }
        let url = crate::store::dburl::resolve(&self.store.database_url)?;
        if let Some(mode) = tls_mode(&url, std::env::var("PGSSLMODE").ok()) {
            markers.push(format!("a database reached over TLS (sslmode={mode})"));
        }
        if markers.is_empty() {
            return Ok(());
        }
        if self.payments.test_payments_in_production {
            tracing::warn!(
                markers = %markers.join(", "),
                "{OVERRIDE_ENV} is set: the TEST payment gateway runs with production settings; nothing is charged"
            );
            return Ok(());
        }
        anyhow::bail!(
            "refusing --payments test with production settings: {}. The test gateway approves \
             test cards and charges nothing. Use --payments stripe; or, for a staging copy of \
             production on purpose, set {OVERRIDE_ENV}=1 (--i-understand-test-payments-are-fake)",
            markers.join(", ")
        )
    }
}

/// The TLS mode a Postgres URL asks for, when it is one that requires TLS. Only the mode is
/// returned: the URL may carry a password. `PGSSLMODE` applies when the URL names none.
fn tls_mode(url: &str, pgsslmode: Option<String>) -> Option<String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    let mode = parsed
        .query_pairs()
        .find(|(k, _)| k == "sslmode" || k == "ssl-mode")
        .map(|(_, v)| v.into_owned())
        .or(pgsslmode)?
        .to_ascii_lowercase();
    matches!(mode.as_str(), "require" | "verify-ca" | "verify-full").then_some(mode)
}

#[cfg(test)]
mod tests {
    use super::tls_mode;

    #[test]
    fn only_modes_that_require_tls_mark_production() {
        let pg = |q: &str| format!("postgres://u:p%40ss@db.internal:5432/ecomm{q}");
        for (url, env, mode) in [
            (pg("?sslmode=verify-full"), None, Some("verify-full")),
            (
                pg("?sslmode=require&application_name=x"),
                None,
                Some("require"),
            ),
            (pg("?ssl-mode=VERIFY-CA"), None, Some("verify-ca")),
            (pg(""), Some("require"), Some("require")),
            (pg("?sslmode=disable"), Some("require"), None),
            (pg("?sslmode=prefer"), None, None),
            (pg(""), None, None),
            ("sqlite://./data/ecomm.db".to_owned(), Some("require"), None),
        ] {
            assert_eq!(
                tls_mode(&url, env.map(str::to_owned)).as_deref(),
                mode,
                "{url} with PGSSLMODE={env:?}"
            );
        }
    }
}
