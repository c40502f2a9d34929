//! The PostgreSQL URL built from parts (host, port, database from config; user and password from a
//! secret). Secrets Manager rotates passwords with any printable character: pasted raw into a URL,
//! `#`, `?`, `%`, `@` or `/` cut it short or change its meaning, so every part is percent-encoded.
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

pub struct DbParts {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: SecretString,
    /// `verify-full` in production: TLS, and the server certificate must chain to `root_cert`
    /// and name `host`.
    pub sslmode: String,
    pub root_cert: Option<PathBuf>,
}

impl DbParts {
    /// From `ECOMM_DB_HOST`, `ECOMM_DB_PORT` (5432), `ECOMM_DB_NAME` (ecomm), `ECOMM_DB_USER`,
    /// `ECOMM_DB_PASSWORD`, `ECOMM_DB_SSLMODE` (verify-full) and `ECOMM_DB_SSLROOTCERT`; `None`
    /// without a host (then `ECOMM_DATABASE_URL` is used as given).
    pub fn from_env() -> anyhow::Result<Option<DbParts>> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let Some(host) = var("ECOMM_DB_HOST") else {
            return Ok(None);
        };
        Ok(Some(DbParts {
            host,
            port: var("ECOMM_DB_PORT").map_or(Ok(5432), |p| p.parse())?,
            database: var("ECOMM_DB_NAME").unwrap_or_else(|| "ecomm".into()),
            user: var("ECOMM_DB_USER")
                .ok_or_else(|| anyhow::anyhow!("ECOMM_DB_HOST is set but ECOMM_DB_USER is not"))?,
            password: var("ECOMM_DB_PASSWORD").unwrap_or_default().into(),
            sslmode: var("ECOMM_DB_SSLMODE").unwrap_or_else(|| "verify-full".into()),
            root_cert: var("ECOMM_DB_SSLROOTCERT").map(PathBuf::from),
        }))
    }

    pub fn url(&self) -> anyhow::Result<String> {
        let mut url = url::Url::parse("postgres://localhost/")?;
        url.set_host(Some(&self.host))?;
        url.set_port(Some(self.port))
            .map_err(|()| anyhow::anyhow!("invalid port"))?;
        url.set_username(&self.user)
            .map_err(|()| anyhow::anyhow!("invalid user"))?;
        if !self.password.expose_secret().is_empty() {
            // `url` leaves some sub-delimiters readable; encode everything that is not
            // alphanumeric so no parser can misread the password.
            let encoded = percent_encode(self.password.expose_secret());
            url.set_password(Some(&encoded))
                .map_err(|()| anyhow::anyhow!("invalid password"))?;
        }
        url.path_segments_mut()
            .map_err(|()| anyhow::anyhow!("invalid URL"))?
            .clear()
            .push(&self.database);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("sslmode", &self.sslmode);
            if let Some(cert) = &self.root_cert {
                q.append_pair("sslrootcert", &cert.display().to_string());
            }
        }
        Ok(url.to_string())
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `ECOMM_DATABASE_URL` unless the parts are configured.
pub fn resolve(database_url: &str) -> anyhow::Result<String> {
    match DbParts::from_env()? {
        Some(parts) => parts.url(),
        None => Ok(database_url.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_in_a_password_is_encoded() {
        let parts = DbParts {
            host: "db.internal".into(),
            port: 5432,
            database: "ecomm".into(),
            user: "ecomm_app".into(),
            password: "p#?%@/:x y".to_owned().into(),
            sslmode: "verify-full".into(),
            root_cert: Some("/etc/ecomm/rds-ca.pem".into()),
        };
        let url = parts.url().unwrap();
        assert_eq!(
            url,
            "postgres://ecomm_app:p%23%3F%25%40%2F%3Ax%20y@db.internal:5432/ecomm?sslmode=verify-full&sslrootcert=%2Fetc%2Fecomm%2Frds-ca.pem"
        );
    }
}
