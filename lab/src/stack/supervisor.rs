//! A ReplicaSet in small: N replicas of `ecomm serve`, each restarted when it exits (with a
//! crash-loop backoff), probed on `/health/ready`, and published to the load balancer only while ready.
//! Each replica has a health port of its own, probed like the chart's kubelet probes it: traffic
//! goes to the main port, probes never queue behind it.
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tokio::process::Command;
use tokio::sync::watch;
use tokio::time::Instant;

const PROBE_EVERY: Duration = Duration::from_millis(200);
/// The chart's readiness timeout (the drills also report whether survivors answer within 1 s).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Consecutive failed probes before a live replica leaves the pool (a dead one leaves at once).
/// The chart allows 2 × 5 s; the lab probes faster but still needs a failing streak, so one slow
/// answer under load does not pull a replica.
const FAILURE_THRESHOLD: u32 = 3;

pub struct ReplicaSpec {
    pub bin: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub log_dir: PathBuf,
}

pub struct Slot {
    pub port: u16,
    pub health_port: u16,
    pid: AtomicU32,
    ready: AtomicBool,
    pub restarts: AtomicU32,
}

#[derive(Clone, Copy)]
pub struct Probe {
    pub at: Instant,
    pub latency: Duration,
}

#[derive(Default)]
pub struct Timeline {
    /// (when, ready replicas), sampled every 100 ms.
    pub ready: Vec<(Instant, usize)>,
    /// Probes of live processes (a killed one is not a "surviving replica").
    pub probes: Vec<Probe>,
    pub events: Vec<(Instant, String)>,
}

pub struct ReplicaSet {
    pub slots: Vec<Arc<Slot>>,
    pub timeline: Arc<Mutex<Timeline>>,
    pub pool: watch::Receiver<Vec<(u16, bool)>>,
    stop: watch::Sender<bool>,
}

impl ReplicaSet {
    /// `ports`: (traffic, health) per replica.
    pub fn start(spec: ReplicaSpec, ports: Vec<(u16, u16)>) -> ReplicaSet {
        let spec = Arc::new(spec);
        let slots: Vec<Arc<Slot>> = ports
            .iter()
            .map(|&(port, health_port)| {
                Arc::new(Slot {
                    port,
                    health_port,
                    pid: AtomicU32::new(0),
                    ready: AtomicBool::new(false),
                    restarts: AtomicU32::new(0),
                })
            })
            .collect();
        let (pool_tx, pool) = watch::channel(ports.iter().map(|&(p, _)| (p, false)).collect());
        let pool_tx = Arc::new(pool_tx);
        let (stop, stop_rx) = watch::channel(false);
        let timeline = Arc::new(Mutex::new(Timeline::default()));
        for (i, slot) in slots.iter().enumerate() {
            tokio::spawn(keep_running(
                i,
                slot.clone(),
                spec.clone(),
                stop_rx.clone(),
                timeline.clone(),
            ));
        }
        // The prober is the kubelet: a process apart. On the generator's runtime a probe waited
        // behind thousands of load tasks, and that wait was counted as the replica's latency.
        let probe = probe_loop(slots.clone(), pool_tx, timeline.clone(), stop_rx);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        match runtime {
            Ok(rt) => {
                let spawned = std::thread::Builder::new()
                    .name("prober".into())
                    .spawn(move || rt.block_on(probe));
                if let Err(e) = spawned {
                    eprintln!("lab: prober thread: {e}");
                }
            }
            Err(e) => eprintln!("lab: prober runtime: {e}"),
        }
        ReplicaSet {
            slots,
            timeline,
            pool,
            stop,
        }
    }

    pub fn ready_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.ready.load(Ordering::Relaxed))
            .count()
    }

    pub fn is_ready(&self, slot: usize) -> bool {
        self.slots[slot].ready.load(Ordering::Relaxed)
    }

    pub fn pid(&self, slot: usize) -> u32 {
        self.slots[slot].pid.load(Ordering::Relaxed)
    }

    pub fn signal(&self, slot: usize, sig: Signal) {
        let pid = self.pid(slot);
        if pid != 0 {
            let _ = kill(Pid::from_raw(pid as i32), sig);
            self.event(format!("{sig:?} replica {slot} (pid {pid})"));
        }
    }

    pub fn event(&self, what: String) {
        crate::lock(&self.timeline)
            .events
            .push((Instant::now(), what));
    }

    pub async fn wait_all_ready(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.ready_count() == self.slots.len() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// SIGTERM every replica, then SIGKILL what is left after the drain.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        for i in 0..self.slots.len() {
            self.signal(i, Signal::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline && (0..self.slots.len()).any(|i| self.pid(i) != 0) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for i in 0..self.slots.len() {
            self.signal(i, Signal::SIGKILL);
        }
    }
}

/// The controller loop for one slot: run, wait, back off if it crash-loops, run again.
async fn keep_running(
    index: usize,
    slot: Arc<Slot>,
    spec: Arc<ReplicaSpec>,
    mut stop: watch::Receiver<bool>,
    timeline: Arc<Mutex<Timeline>>,
) {
    let mut backoff = Duration::ZERO;
    let log = |what: String| crate::lock(&timeline).events.push((Instant::now(), what));
    loop {
        if *stop.borrow() {
            return;
        }
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(spec.log_dir.join(format!("replica-{index}.log")));
        let (stdout, stderr) = match out.and_then(|f| Ok((f.try_clone()?, f))) {
            Ok((a, b)) => (Stdio::from(a), Stdio::from(b)),
            Err(_) => (Stdio::null(), Stdio::null()),
        };
        let started = Instant::now();
        let child = Command::new(&spec.bin)
            .args(&spec.args)
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", slot.port))
            .arg("--health-port")
            .arg(slot.health_port.to_string())
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn();
        let status = match child {
            Ok(mut child) => {
                slot.pid.store(child.id().unwrap_or(0), Ordering::Relaxed);
                let status = child.wait().await;
                slot.pid.store(0, Ordering::Relaxed);
                slot.ready.store(false, Ordering::Relaxed);
                format!("{status:?}")
            }
            Err(e) => format!("spawn failed: {e}"),
        };
        log(format!("replica {index} exited: {status}"));
        if *stop.borrow() {
            return;
        }
        slot.restarts.fetch_add(1, Ordering::Relaxed);
        // A replacement for a pod that ran a while starts at once; a crash loop backs off.
        backoff = if started.elapsed() > Duration::from_secs(10) {
            Duration::ZERO
        } else {
            (backoff * 2).clamp(Duration::from_millis(250), Duration::from_secs(10))
        };
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn probe_loop(
    slots: Vec<Arc<Slot>>,
    pool: Arc<watch::Sender<Vec<(u16, bool)>>>,
    timeline: Arc<Mutex<Timeline>>,
    stop: watch::Receiver<bool>,
) {
    let client = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap_or_default();
    let mut failures = vec![0u32; slots.len()];
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sampler = Instant::now();
    while !*stop.borrow() {
        tick.tick().await;
        let probes = slots.iter().enumerate().map(|(i, slot)| {
            let client = client.clone();
            async move {
                let pid = slot.pid.load(Ordering::Relaxed);
                if pid == 0 {
                    return (i, None);
                }
                let t = Instant::now();
                let url = format!("http://127.0.0.1:{}/health/ready", slot.health_port);
                let ok = matches!(client.get(url).send().await, Ok(r) if r.status().is_success());
                let alive = slot.pid.load(Ordering::Relaxed) == pid;
                (i, alive.then_some((t, t.elapsed(), ok)))
            }
        });
        let results = futures::future::join_all(probes).await;
        let mut tl = crate::lock(&timeline);
        for (i, r) in results {
            let slot = &slots[i];
            let ready = match r {
                None => {
                    failures[i] = FAILURE_THRESHOLD;
                    false
                }
                Some((at, latency, ok)) => {
                    // "connection refused" from a process still starting is not a slow probe.
                    if ok || slot.ready.load(Ordering::Relaxed) {
                        tl.probes.push(Probe { at, latency });
                    }
                    failures[i] = if ok { 0 } else { failures[i] + 1 };
                    ok || (slot.ready.load(Ordering::Relaxed) && failures[i] < FAILURE_THRESHOLD)
                }
            };
            if ready != slot.ready.swap(ready, Ordering::Relaxed) {
                tl.events.push((
                    Instant::now(),
                    format!("replica {i} {}", if ready { "ready" } else { "not ready" }),
                ));
            }
        }
        let state: Vec<(u16, bool)> = slots
            .iter()
            .map(|s| (s.port, s.ready.load(Ordering::Relaxed)))
            .collect();
        let n = state.iter().filter(|s| s.1).count();
        if sampler.elapsed() >= Duration::from_millis(100) || tl.ready.is_empty() {
            tl.ready.push((Instant::now(), n));
            sampler = Instant::now();
        }
        drop(tl);
        pool.send_if_modified(|cur| {
            let changed = *cur != state;
            *cur = state;
            changed
        });
    }
}
