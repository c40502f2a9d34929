//! Choosing the payment gateway: test mode only on purpose.
use std::process::Command;

fn serve(env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecomm"));
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("ECOMM_PAYMENTS")
        .env_remove("ECOMM_STRIPE_SECRET_KEY")
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
    cmd.output().expect("run the ecomm binary")
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
