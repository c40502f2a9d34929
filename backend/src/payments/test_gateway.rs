//! The built-in test gateway (`--payments test`): today's test cards, nothing is charged.
//!   4000 0000 0000 0002  declined
//!   4000 0000 0000 9995  insufficient funds
//!   any other valid card approved
//! Payments are keyed by the checkout's Idempotency-Key, like a real gateway, so `lookup` works;
//! a key is approved again only while its payment is still a hold of the same amount and currency.
//!
//! Optionally it keeps a ledger: an append-only JSON-lines file (`--test-gateway-ledger`). Why a
//! file and not a table in the shop's database: a real gateway's state lives outside our
//! database, and crash tests must not be able to roll it back with our transaction; it costs the
//! shop's database nothing (benchmarks measure the shop, not a simulated gateway); and each
//! event is one `write(2)` with O_APPEND, so it survives the process being killed right after
//! (it is not fsynced: a test gateway need not survive the machine). Replicas on one host can
//! share the file; reads take in what was appended since the last read, so one replica's
//! reconciler sees another's payments without re-parsing the whole history each time (the lab's
//! drills append ~800 lines/s).
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    Authorization, AuthorizeRequest, GatewayError, GatewayPayment, GatewayState, PaymentGateway,
};

pub const DECLINED_CARD: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS_CARD: &str = "4000000000009995";

/// One line of the ledger: the payment's state after an event (the last line for a key wins).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: String,
    reference: String,
    amount_cents: i64,
    /// ISO 4217 as the checkout sent it (lines written before it was kept are in USD).
    #[serde(default = "usd")]
    currency: String,
    state: GatewayState,
    created_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn usd() -> String {
    "USD".to_owned()
}

impl Entry {
    fn payment(&self) -> GatewayPayment {
        GatewayPayment {
            reference: self.reference.clone(),
            idempotency_key: self.key.clone(),
            amount_cents: self.amount_cents,
            state: self.state,
            created_at_ms: self.created_at_ms,
        }
    }
}

#[derive(Default)]
struct Book {
    by_key: HashMap<String, Entry>,
    key_of: HashMap<String, String>,
}

impl Book {
    fn put(&mut self, e: Entry) {
        self.key_of.insert(e.reference.clone(), e.key.clone());
        self.by_key.insert(e.key.clone(), e);
    }
}

pub struct TestGateway {
    book: Mutex<Book>,
    ledger: Option<Ledger>,
}

struct Ledger {
    append: Mutex<std::fs::File>,
    /// A read handle and how far into the file its complete lines have been taken in.
    read: Mutex<(std::fs::File, u64)>,
}

impl Default for TestGateway {
    fn default() -> Self {
        Self::new()
    }
}

impl TestGateway {
    /// In memory only: payments are forgotten when the process ends.
    pub fn new() -> Self {
        TestGateway {
            book: Mutex::new(Book::default()),
            ledger: None,
        }
    }

    /// Keeps every event in `path` (created if missing) and reads what is already there.
    pub fn with_ledger(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let gw = TestGateway {
            book: Mutex::new(Book::default()),
            ledger: Some(Ledger {
                append: Mutex::new(file),
                read: Mutex::new((std::fs::File::open(path)?, 0)),
            }),
        };
        gw.reload()?;
        Ok(gw)
    }

    /// Merges what was appended to the ledger since the last read (other processes may have
    /// written to it) into memory, in file order.
    fn reload(&self) -> Result<(), GatewayError> {
        let Some(ledger) = &self.ledger else {
            return Ok(());
        };
        let unavailable =
            |e: std::io::Error| GatewayError::Unavailable(format!("test ledger: {e}"));
        let mut read = ledger.read.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, offset) = &mut *read;
        file.seek(SeekFrom::Start(*offset)).map_err(unavailable)?;
        let mut new = Vec::new();
        file.read_to_end(&mut new).map_err(unavailable)?;
        // Only complete lines: one still being written is taken in by a later read.
        let Some(end) = new.iter().rposition(|&b| b == b'\n') else {
            return Ok(());
        };
        *offset += end as u64 + 1;
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        // A torn line (killed mid-write) is skipped, like an event that never happened.
        for e in new[..end]
            .split(|&b| b == b'\n')
            .filter_map(|l| serde_json::from_slice::<Entry>(l).ok())
        {
            book.put(e);
        }
        Ok(())
    }

    fn record(&self, e: Entry) -> Result<(), GatewayError> {
        if let Some(Ledger { append: file, .. }) = &self.ledger {
            let mut line = serde_json::to_vec(&e)
                .map_err(|err| GatewayError::Unavailable(format!("test ledger: {err}")))?;
            line.push(b'\n');
            file.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .write_all(&line)
                .map_err(|err| GatewayError::Unavailable(format!("test ledger: {err}")))?;
        }
        self.book
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(e);
        Ok(())
    }

    fn by_reference(&self, reference: &str) -> Result<Entry, GatewayError> {
        let find = || {
            let book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
            book.key_of
                .get(reference)
                .and_then(|k| book.by_key.get(k))
                .cloned()
        };
        if let Some(e) = find() {
            return Ok(e);
        }
        self.reload()?;
        find().ok_or_else(|| GatewayError::NotFound(reference.to_owned()))
    }

    /// Moves a payment from `from` to `to`; already being in `to` is success.
    fn transition(
        &self,
        reference: &str,
        from: GatewayState,
        to: GatewayState,
    ) -> Result<(), GatewayError> {
        let mut e = self.by_reference(reference)?;
        if e.state == to {
            return Ok(());
        }
        if e.state != from {
            return Err(GatewayError::WrongState(e.state));
        }
        e.state = to;
        self.record(e)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[async_trait]
impl PaymentGateway for TestGateway {
    async fn authorize(&self, req: &AuthorizeRequest<'_>) -> Result<Authorization, GatewayError> {
        let existing = self
            .book
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_key
            .get(req.idempotency_key)
            .cloned();
        if let Some(e) = existing {
            // Same key, same answer while the payment is still the hold it was; anything else
            // (other parameters, or money already taken or released) is not an approval.
            let same =
                e.amount_cents == req.amount_cents && e.currency.eq_ignore_ascii_case(req.currency);
            return Ok(match e.state {
                _ if !same => Authorization::AlreadyUsed {
                    detail: format!("key used for another payment ({})", e.reference),
                },
                GatewayState::Declined => Authorization::Declined {
                    reason: e.reason.unwrap_or_default(),
                },
                GatewayState::Authorized => Authorization::Approved {
                    reference: e.reference,
                },
                state => Authorization::AlreadyUsed {
                    detail: format!("payment {} is {state:?}", e.reference),
                },
            });
        }
        let reason = match req.card.number() {
            DECLINED_CARD => Some("Your card was declined."),
            INSUFFICIENT_FUNDS_CARD => Some("Your card has insufficient funds."),
            _ => None,
        };
        let entry = Entry {
            key: req.idempotency_key.to_owned(),
            reference: format!("tpay_{}", uuid::Uuid::new_v4().simple()),
            amount_cents: req.amount_cents,
            currency: req.currency.to_owned(),
            state: if reason.is_some() {
                GatewayState::Declined
            } else {
                GatewayState::Authorized
            },
            created_at_ms: now_ms(),
            reason: reason.map(str::to_owned),
        };
        let out = match reason {
            Some(r) => Authorization::Declined { reason: r.into() },
            None => Authorization::Approved {
                reference: entry.reference.clone(),
            },
        };
        self.record(entry)?;
        Ok(out)
    }

    async fn capture(&self, reference: &str) -> Result<(), GatewayError> {
        self.transition(reference, GatewayState::Authorized, GatewayState::Captured)
    }

    async fn void(&self, reference: &str) -> Result<(), GatewayError> {
        self.transition(reference, GatewayState::Authorized, GatewayState::Voided)
    }

    async fn refund(&self, reference: &str, amount_cents: i64) -> Result<(), GatewayError> {
        let e = self.by_reference(reference)?;
        if amount_cents <= 0 || amount_cents > e.amount_cents {
            return Err(GatewayError::Rejected(format!(
                "refund of {amount_cents} cents exceeds the captured {} cents",
                e.amount_cents
            )));
        }
        self.transition(reference, GatewayState::Captured, GatewayState::Refunded)
    }

    async fn lookup(&self, idempotency_key: &str) -> Result<Option<GatewayPayment>, GatewayError> {
        self.reload()?;
        let book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(book.by_key.get(idempotency_key).map(Entry::payment))
    }

    async fn open_authorizations(
        &self,
        created_before_ms: i64,
    ) -> Result<Vec<GatewayPayment>, GatewayError> {
        self.reload()?;
        let book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        let mut open: Vec<_> = book
            .by_key
            .values()
            .filter(|e| e.state == GatewayState::Authorized && e.created_at_ms <= created_before_ms)
            .map(Entry::payment)
            .collect();
        open.sort_by_key(|p| p.created_at_ms);
        Ok(open)
    }
}
