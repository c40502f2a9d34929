use clap::Parser;
use ecomm::config::{AdminCommand, Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // One TLS backend for every crate (sqlx, object_store, OTLP).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = Cli::parse();
    let otlp = match &cli.command {
        Command::Serve(s) => s.otlp_endpoint.clone(),
        _ => None,
    };
    let tracer = ecomm::telemetry::init_tracing(cli.log_format == "json", otlp.as_deref())?;
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
            ecomm::store::connect(&store.database_url)
                .await?
                .migrate()
                .await?;
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
            let db = ecomm::store::connect(&store.database_url).await?;
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
