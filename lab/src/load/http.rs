//! The generator's HTTP/1.1 client: keep-alive connections to the one load balancer, pooled,
//! over hyper's connection API. A general client parses a URL, runs redirect and connector layers
//! and builds a header map per request; the generator shares the shop's cores, so every cycle it
//! spends is the shop's.
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderMap, HeaderValue, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type Conn = SendRequest<Full<Bytes>>;

/// How a request failed before an answer: no connection within the connect timeout (or
/// refused), no whole answer within the request timeout, or the connection broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Connect,
    Timeout,
    Transport,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub struct Client {
    addr: SocketAddr,
    host: HeaderValue,
    idle: Mutex<Vec<Conn>>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Client {
    /// `base`: `http://ip:port` (the load balancer).
    pub fn new(base: &str, timeout: Duration, connect_timeout: Duration) -> anyhow::Result<Self> {
        let authority = base.trim_start_matches("http://").trim_end_matches('/');
        Ok(Client {
            addr: authority.parse()?,
            host: HeaderValue::from_str(authority)?,
            idle: Mutex::new(Vec::new()),
            timeout,
            connect_timeout,
        })
    }

    /// An idle connection that can take a request now, else (or when `fresh`) a new one.
    async fn conn(&self, fresh: bool) -> Result<Conn, Failure> {
        if !fresh {
            loop {
                // The lock is released before the await below.
                let Some(mut c) = crate::lock(&self.idle).pop() else {
                    break;
                };
                // Ready once its last answer was read; an error means the server closed it.
                if c.ready().await.is_ok() {
                    return Ok(c);
                }
            }
        }
        let stream = tokio::time::timeout(self.connect_timeout, TcpStream::connect(self.addr))
            .await
            .map_err(|_| Failure::Connect)?
            .map_err(|_| Failure::Connect)?;
        let _ = stream.set_nodelay(true);
        let (send, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|_| Failure::Connect)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(send)
    }

    /// Sends `req` (origin-form URI) and reads the answer within the request timeout. Bodies not
    /// kept are drained frame by frame, never gathered into one buffer. `fresh`: on a new
    /// connection (a resend after a reused one broke: the others idle as long may be closing too,
    /// as they are at every nginx reload).
    pub async fn send(
        &self,
        mut req: Request<Full<Bytes>>,
        keep_body: bool,
        fresh: bool,
    ) -> Result<Answer, Failure> {
        req.headers_mut().insert(HOST, self.host.clone());
        let exchange = async {
            let mut conn = self.conn(fresh).await?;
            let res = conn
                .send_request(req)
                .await
                .map_err(|_| Failure::Transport)?;
            let (parts, mut body) = res.into_parts();
            let body = if keep_body {
                body.collect()
                    .await
                    .map_err(|_| Failure::Transport)?
                    .to_bytes()
            } else {
                while let Some(frame) = body.frame().await {
                    frame.map_err(|_| Failure::Transport)?;
                }
                Bytes::new()
            };
            if !conn.is_closed() {
                crate::lock(&self.idle).push(conn);
            }
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| Failure::Timeout)?
    }
}
