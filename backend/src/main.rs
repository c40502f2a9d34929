use ecomm::config::{AdminCommand, Command, LogFormat};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
            tracing::info!(addr = %settings.addr, port = app.port(), "listening");
            app.run_until_stopped(ecomm::startup::shutdown_signal())
                .await
        }
        Command::Migrate(store) => {
            store.connect().await?.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed { store, products } => ecomm::seed::run(&store, products).await,
        Command::Admin {
            command:
                AdminCommand::Create {
                    store,
                    email,
                    password,
                },
        } => {
            let db = store.connect().await?;
            let user = ecomm::routes::auth::ensure_admin(db.as_ref(), &email, password).await?;
            println!("admin ready: {}", user.email);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", ecomm::openapi::document().to_pretty_json()?);
            Ok(())
        }
    }
}
