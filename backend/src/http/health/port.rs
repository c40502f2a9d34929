//! The health port (a management port, like Envoy's admin or Spring's): `/health` and
//! `/health/ready` — the same handlers and state as on the main port — on a listener of their own,
//! served by a current-thread runtime on a dedicated OS thread.
//!
//! Why: under overload the main port's accept queue and the main runtime's workers are full of
//! shopper requests, and a kubelet probe (a new connection, a 1 s budget) waits behind them, so a
//! busy but healthy replica fails its probe. Here nothing queues ahead of it.
use std::net::SocketAddr;
use std::thread::JoinHandle;

use anyhow::Context;
use tokio::sync::oneshot;

use crate::http::AppState;

/// Bound at build time (a taken port stops the start, like the main one), served from `run`.
pub struct HealthPort {
    listener: std::net::TcpListener,
    port: u16,
}

/// The serving thread; `stop` ends it after the main port has drained.
pub struct Running {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl HealthPort {
    pub fn bind(addr: SocketAddr) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind(addr)
            .with_context(|| format!("binding the health port {addr}"))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        Ok(HealthPort { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn run(self, state: AppState) -> anyhow::Result<Running> {
        // A dependency check must not run on this runtime: the pool's connections belong to the
        // main runtime's reactor, which outlives this one.
        state.readiness.check_on(tokio::runtime::Handle::current());
        let app = crate::http::health::probes().with_state(state);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let listener = self.listener;
        let thread = std::thread::Builder::new()
            .name("health-port".into())
            .spawn(move || {
                rt.block_on(async move {
                    let served = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => axum::serve(l, app)
                            .with_graceful_shutdown(async {
                                let _ = stopped.await;
                            })
                            .await
                            .map_err(anyhow::Error::from),
                        Err(e) => Err(e.into()),
                    };
                    if let Err(e) = served {
                        tracing::error!(error = %e, "health port stopped");
                    }
                })
            })?;
        tracing::info!(port = self.port, "health port listening");
        Ok(Running { stop, thread })
    }
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let thread = self.thread;
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}
