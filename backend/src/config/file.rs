//! The optional TOML layer. Its values become the flags' defaults, so the environment and the
//! flags still override them (defaults → file → env → flags), and clap checks them like any
//! other value. Keys are flag names: `database-url = "postgres://…"`, `db-max-connections = 32`.
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};

use super::Cli;

/// The command line of this process, with `--config FILE` or `ECOMM_CONFIG` read first.
/// `--help`, `--version` and bad values print and exit, as clap does.
pub fn parse_with_config_file() -> anyhow::Result<Cli> {
    parse_from(std::env::args_os(), std::env::var_os("ECOMM_CONFIG"))
}

pub fn parse_from(
    args: impl IntoIterator<Item = impl Into<OsString>>,
    env_config: Option<OsString>,
) -> anyhow::Result<Cli> {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut cmd = Cli::command();
    if let Some(path) = config_flag(&args).or(env_config.map(PathBuf::from)) {
        for (key, value) in read(&path)? {
            let (with_default, found) = set_default(cmd, &key, &value);
            cmd = with_default;
            anyhow::ensure!(found, "{}: unknown setting `{key}`", path.display());
        }
    }
    let matches = cmd.get_matches_from(args);
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// `--config FILE` or `--config=FILE`, looked up before clap parses anything.
fn config_flag(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--config=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// The file's settings as (flag name, value text).
fn read(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?;
    table
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => anyhow::bail!(
                    "{}: `{key}` must be a string, number or boolean, not {}",
                    path.display(),
                    other.type_str()
                ),
            };
            Ok((key.replace('_', "-"), text))
        })
        .collect()
}

/// Makes `value` the default of every argument whose long flag is `--key`, in every subcommand.
fn set_default(mut cmd: clap::Command, key: &str, value: &str) -> (clap::Command, bool) {
    let ids: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.get_long() == Some(key))
        .map(|a| a.get_id().to_string())
        .collect();
    let mut found = !ids.is_empty();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| a.default_value(value.to_owned()));
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, |sub| {
            let (sub, hit) = set_default(sub, key, value);
            found |= hit;
            sub
        });
    }
    (cmd, found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Command, LogFormat};

    fn file(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("ecomm-config-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_file_sets_values_that_flags_override() {
        let path = file(
            "database-url = \"sqlite://file.db\"\ndb_max_connections = 32\nlog-format = \"json\"\n",
        );
        let cli = parse_from(
            [
                "ecomm",
                "--config",
                path.to_str().unwrap(),
                "migrate",
                "--db-max-connections",
                "8",
            ],
            None,
        )
        .unwrap();
        assert_eq!(cli.log_format, LogFormat::Json);
        let Command::Migrate(store) = cli.command else {
            panic!("migrate")
        };
        assert_eq!(store.database_url, "sqlite://file.db");
        assert_eq!(store.db_max_connections, 8, "the flag wins over the file");
    }

    #[test]
    fn an_unknown_setting_in_the_file_stops_the_start() {
        let path = file("databse-url = \"x\"\n");
        let err = parse_from(["ecomm", "migrate"], Some(path.clone().into())).unwrap_err();
        assert!(
            err.to_string().contains("unknown setting `databse-url`"),
            "{err}"
        );
    }

    #[test]
    fn db_startup_options_false_in_the_file_turns_them_off() {
        let path = file("db-startup-options = false\n");
        let cli = parse_from(["ecomm", "migrate"], Some(path.into())).unwrap();
        let Command::Migrate(store) = cli.command else {
            panic!("migrate")
        };
        assert!(!store.db_options().startup_options);
    }
}
