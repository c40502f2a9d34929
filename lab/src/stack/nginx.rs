//! nginx as the load balancer: ALB-like timeouts, retries only where a retry cannot duplicate a
//! side effect, and an upstream list the supervisor rewrites (then reloads) as replicas turn ready.
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::process::{Child, Command};

pub struct Nginx {
    dir: PathBuf,
    child: Child,
}

fn find_bin() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// One `server` line per replica; those not ready are `down`, so traffic waits for readiness.
/// When none is ready the list fails open, as an ALB does with an all-unhealthy target group.
/// No passive ejection (`max_fails=0`): like an ALB, only the health checks (the supervisor's
/// readiness probes) take a target out. With `max_fails=1`, one connect that timed out on a busy
/// survivor right after a kill ejects it for 2 s, leaving "no live upstreams": every request
/// fails with 502. A refused or timed-out connect still moves
/// the request to another replica (`proxy_next_upstream`).
pub fn upstream_conf(ports: &[(u16, bool)]) -> String {
    let mut s = String::from("upstream ecomm_backend {\n");
    let fail_open = !ports.iter().any(|p| p.1);
    for (port, ready) in ports {
        if *ready || fail_open {
            s += &format!("    server 127.0.0.1:{port} max_fails=0;\n");
        } else {
            s += &format!("    server 127.0.0.1:{port} down;\n");
        }
    }
    // Idle upstream connections close before the backend's own idle timeout (20 s), so nginx never
    // sends a POST down a connection the replica is closing. A cache as large as the in-flight
    // requests at the highest rates the drills run, so a burst does not end in a connect + close
    // per request.
    s += "    keepalive 512;\n    keepalive_requests 100000;\n    keepalive_timeout 15s;\n}\n";
    s
}

fn main_conf(dir: &Path, port: u16, static_dir: Option<&Path>, workers: Option<usize>) -> String {
    let workers = workers.map_or("auto".to_owned(), |n| n.max(1).to_string());
    // Workers may not raise their fd limit past the hard one (an alert at every reload).
    let nofile = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(65536, |(_, hard)| hard.min(65536));
    let d = dir.display();
    // The ALB in front of the cluster: 10 s to connect to a target (the ALB's fixed target
    // connection timeout), 10 s to answer (the backend's own request timeout is shorter), idle
    // keep-alive 60 s. A dead replica refuses at once, so the connect timeout only matters for a
    // survivor whose accept queue is full: with 1 s, the kernel's first SYN retry (at 1 s) never
    // gets its chance and the request fails with 504 instead of waiting.
    let proxy = r#"
            proxy_pass http://ecomm_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            proxy_connect_timeout 10s;
            proxy_send_timeout 10s;
            proxy_read_timeout 10s;
            # GET/HEAD move to the next replica on a dead or refusing one; a POST only when it
            # never reached a replica (no `non_idempotent`): checkout retries belong to the client.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            # Retry only what failed fast (a killed or draining replica): a request that already
            # waited out the backend's 8 s timeout and got its 503 is not sent round again, or one
            # GET could wait 8 s + 8 s, past the client's patience (db-latency: 169 unanswered).
            proxy_next_upstream_timeout 2s;"#;
    let root = match static_dir {
        Some(dist) => format!(
            "root {};\n        location / {{ try_files $uri /index.html; }}",
            dist.display()
        ),
        None => format!("location / {{{proxy}\n        }}"),
    };
    // Workers run as root only because the lab's files live in a root-owned temp dir.
    let user = if nix::unistd::Uid::effective().is_root() {
        "user root;"
    } else {
        ""
    };
    format!(
        r#"{user}
worker_processes {workers};
worker_rlimit_nofile {nofile};
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 16384; }}
http {{
    include upstream.conf;
    access_log off;
    client_body_temp_path {d}/client-body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_timeout 60s;
    keepalive_requests 100000;
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg; application/json json; }}
    server {{
        listen 127.0.0.1:{port} reuseport backlog=4096;
        location = /lb-health {{ return 200 "ok\n"; }}
        location /api/ {{{proxy}
        }}
        location /media/ {{{proxy}
        }}
        {root}
    }}
}}
"#
    )
}

impl Nginx {
    pub async fn start(
        dir: &Path,
        port: u16,
        static_dir: Option<&Path>,
        upstream: &str,
        workers: Option<usize>,
    ) -> anyhow::Result<Nginx> {
        let bin = find_bin().context("nginx is not installed")?;
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("nginx.conf"),
            main_conf(dir, port, static_dir, workers),
        )?;
        std::fs::write(dir.join("upstream.conf"), upstream)?;
        let conf = dir.join("nginx.conf");
        let test = Command::new(&bin)
            .arg("-t")
            .arg("-q")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .output()
            .await?;
        if !test.status.success() {
            bail!("nginx -t: {}", String::from_utf8_lossy(&test.stderr));
        }
        let child = Command::new(&bin)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        Ok(Nginx {
            dir: dir.to_owned(),
            child,
        })
    }

    /// Writes the upstream list and reloads: new workers take it, old ones finish their requests.
    pub fn reload(&self, upstream: &str) -> anyhow::Result<()> {
        let tmp = self.dir.join("upstream.conf.new");
        std::fs::write(&tmp, upstream)?;
        std::fs::rename(&tmp, self.dir.join("upstream.conf"))?;
        if let Some(pid) = self.child.id() {
            kill(Pid::from_raw(pid as i32), Signal::SIGHUP)?;
        }
        Ok(())
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGQUIT);
        }
        let wait = tokio::time::timeout(std::time::Duration::from_secs(5), self.child.wait());
        if wait.await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replicas_that_are_not_ready_are_listed_down() {
        let conf = super::upstream_conf(&[(9001, true), (9002, false)]);
        assert!(conf.contains("server 127.0.0.1:9001 max_fails=0;"));
        assert!(conf.contains("server 127.0.0.1:9002 down;"));
    }

    #[test]
    fn with_no_replica_ready_the_list_fails_open_like_an_alb() {
        let conf = super::upstream_conf(&[(9001, false), (9002, false)]);
        assert!(!conf.contains("down"));
    }
}
