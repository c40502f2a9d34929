//! Choosing the payment gateway: test mode only on purpose, and never where anything is real.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The loud override that lets `--payments test` start with production settings.
const OVERRIDE: &str = "ECOMM_I_UNDERSTAND_TEST_PAYMENTS_ARE_FAKE";

fn serve(env: &[(&str, &str)]) -> std::process::Output {
    serve_on(0, env).output().expect("run the ecomm binary")
}

fn serve_on(port: u16, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecomm"));
    cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--drain-seconds", "0"])
        .env_remove("ECOMM_PAYMENTS")
        .env_remove("ECOMM_STRIPE_SECRET_KEY")
        .env_remove("ECOMM_COOKIE_SECURE")
        .env_remove("ECOMM_DB_HOST")
        .env_remove("ECOMM_DB_SSLMODE")
        .env_remove("PGSSLMODE")
        .env_remove(OVERRIDE)
        .env(
            "ECOMM_DATABASE_URL",
            format!(
                "sqlite://{}",
                crate::helpers::temp_path("ecomm-pay")
                    .with_extension("db")
                    .display()
            ),
        )
        .env(
            "ECOMM_STORAGE_URL",
            format!(
                "file://{}",
                crate::helpers::temp_path("ecomm-media").display()
            ),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The server's output if it exits within 15 s; `None` (and it is stopped) if it is serving.
fn refused(env: &[(&str, &str)]) -> Option<String> {
    let mut child = serve_on(0, env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the ecomm binary");
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "a refusal exits with an error");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return Some(err);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn serve_refuses_to_start_without_a_payments_setting() {
    let out = serve(&[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--payments stripe") && err.contains("--payments test"),
        "{err}"
    );
}

#[test]
fn stripe_mode_needs_its_secret_key() {
    let out = serve(&[("ECOMM_PAYMENTS", "stripe")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ECOMM_STRIPE_SECRET_KEY"));
}

#[test]
fn fault_injection_is_refused_outside_test_mode() {
    let out = serve(&[
        ("ECOMM_PAYMENTS", "stripe"),
        ("ECOMM_STRIPE_SECRET_KEY", "sk_test_x"),
        ("ECOMM_FAULT", "after_commit"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("test-only"));
}

#[test]
fn test_payments_are_refused_with_secure_cookies() {
    let err = refused(&[("ECOMM_PAYMENTS", "test"), ("ECOMM_COOKIE_SECURE", "true")])
        .expect("serve refuses to start");
    assert!(err.contains("cookie") && err.contains(OVERRIDE), "{err}");
}

#[test]
fn test_payments_are_refused_on_a_database_reached_over_verified_tls() {
    let url = "postgres://ecomm@db.example.internal:5432/ecomm?sslmode=verify-full";
    let err = refused(&[("ECOMM_PAYMENTS", "test"), ("ECOMM_DATABASE_URL", url)])
        .expect("serve refuses to start");
    assert!(
        err.contains("sslmode=verify-full") && err.contains(OVERRIDE),
        "{err}"
    );
    assert!(
        !err.contains("db.example.internal"),
        "no part of the URL but the mode: {err}"
    );
}

#[test]
fn test_payments_are_refused_on_database_parts_which_default_to_tls() {
    let err = refused(&[
        ("ECOMM_PAYMENTS", "test"),
        ("ECOMM_DB_HOST", "db.example.internal"),
        ("ECOMM_DB_USER", "ecomm_app"),
    ])
    .expect("serve refuses to start");
    assert!(
        err.contains("sslmode=verify-full") && err.contains(OVERRIDE),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loud_override_lets_test_payments_start_with_production_settings() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = serve_on(
        port,
        &[
            ("ECOMM_PAYMENTS", "test"),
            ("ECOMM_COOKIE_SECURE", "true"),
            (OVERRIDE, "1"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("run the ecomm binary");
    let url = format!("http://127.0.0.1:{port}/health");
    let mut up = false;
    for _ in 0..300 {
        if let Ok(r) = crate::helpers::client().get(&url).send().await {
            up = r.status().is_success();
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(up, "serving");
}
