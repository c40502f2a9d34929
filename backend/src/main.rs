use ecomm::config::{AdminCommand, Command, Images, LogFormat};
use ecomm::store::media::Media;

fn main() -> anyhow::Result<()> {
    ecomm::sys::memory::tune();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve_or_run())
}

async fn serve_or_run() -> anyhow::Result<()> {
    // One TLS backend for every crate (sqlx, object_store, OTLP).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = ecomm::config::parse_with_config_file()?;
    let otlp = match &cli.command {
        Command::Serve(s) => s.otlp_endpoint.clone(),
        _ => None,
    };
    let tracer =
        ecomm::telemetry::init_tracing(cli.log_format == LogFormat::Json, otlp.as_deref())?;
    let result = run(cli.command).await;
    if let Some(provider) = tracer {
        let _ = provider.shutdown();
    }
    result
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(settings) => {
            let app = ecomm::Application::build(&settings).await?;
            tracing::info!(addr = %settings.addr, port = app.port(), health_port = ?app.health_port(), "listening");
            app.run_until_stopped(ecomm::startup::shutdown_signal())
                .await
        }
        Command::Migrate(store) => {
            store.connect().await?.migrate().await?;
            tracing::info!("migrations applied");
            if let Some((role, password)) = ecomm::store::dbrole::from_env() {
                let owner = ecomm::store::dburl::resolve(&store.database_url)?;
                ecomm::store::dbrole::grant(&owner, &role, &password, &store.db_options()).await?;
                tracing::info!(%role, "application role granted DML only");
            }
            Ok(())
        }
        Command::Seed {
            store,
            products,
            images,
        } => {
            let db = store.connect().await?;
            db.migrate().await?;
            let media = Media::from_url(&store.storage_url, None)?;
            ecomm::catalog::seed::run(db, media, products, images == Images::Svg).await
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    store,
                    email,
                    password_stdin,
                    force,
                },
        } => {
            let password = admin_password(password_stdin)?;
            let db = store.connect().await?;
            let user =
                ecomm::http::routes::auth::ensure_admin(db.as_ref(), &email, password, force)
                    .await?;
            println!("admin ready: {}", user.email);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", ecomm::http::openapi::document().to_pretty_json()?);
            Ok(())
        }
    }
}

/// ECOMM_ADMIN_PASSWORD, or the first line of stdin with `--password-stdin`.
fn admin_password(from_stdin: bool) -> anyhow::Result<secrecy::SecretString> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        anyhow::ensure!(!pw.is_empty(), "no password on stdin");
        return Ok(pw.into());
    }
    std::env::var("ECOMM_ADMIN_PASSWORD")
        .map(Into::into)
        .map_err(|_| anyhow::anyhow!("set ECOMM_ADMIN_PASSWORD or pass --password-stdin"))
}
