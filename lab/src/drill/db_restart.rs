//! `pg_ctl restart -m fast` under load: every database session is cut; checkouts must come back
//! as soon as the pools reconnect, with 503s (never 500s) meanwhile.
use async_trait::async_trait;

use super::{Ctx, Drill, Fault, Measured, Needs};
use crate::score::{target, Target};

pub struct DbRestart;

#[async_trait]
impl Drill for DbRestart {
    fn name(&self) -> &'static str {
        "db-restart"
    }

    fn needs(&self) -> Needs {
        Needs {
            own_postgres: true,
            ..Needs::default()
        }
    }

    async fn inject(&self, cx: &Ctx<'_>, fault: &mut Fault) -> anyhow::Result<()> {
        cx.event("pg_ctl restart -m fast");
        if let Some(pg) = &cx.stack.pg {
            pg.restart_fast().await?;
        }
        cx.event("postgres back");
        fault.end = cx.now();
        Ok(())
    }

    fn targets(&self, m: &Measured<'_>) -> Vec<Target> {
        let s = m.figures.checkout_degraded_s;
        vec![target(
            "checkouts succeed again ≤ 10 s",
            s <= 10.0,
            format!("{s:.0} s"),
        )]
    }
}
