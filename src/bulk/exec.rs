//! Sending the batches: each is signed just before it is written, the batches are pipelined
//! over one TCP connection, and each answer is matched (ID, opcode, zone) and verified (TSIG)
//! before it counts, as [`crate::client`] does for a single update.
//!
//! What the server says decides what happens next:
//! - NOERROR: applied;
//! - SERVFAIL: the server could not apply it now (overloaded, journal busy): written again
//!   after a pause (0.1 s, then 0.4 s), with fewer messages outstanding;
//! - a TSIG error (BADSIG, BADKEY, BADTIME) or NOTAUTH: every other message would get the same
//!   answer, so nothing more is written;
//! - anything else (REFUSED, NOTZONE, a failed prerequisite, ...): that message is rejected,
//!   the others go on.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hickory_proto::op::{OpCode, ResponseCode};
use hickory_proto::rr::RecordType;

use super::batch::Batch;
use crate::client::{self, Outcome, random_id, rcode_name};
use crate::transport::pipeline::{self, Fate, Requests, Step};
use crate::transport::{Failure, Verdict};
use crate::tsig::{self, Key, RequestMac};

/// How to send.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The TSIG key, if any.
    pub key: Option<&'a Key>,
    /// Allowed clock difference in seconds (RFC 8945 section 5.2.3).
    pub fudge: u16,
    /// Window, timeout, source address, reconnects.
    pub pipeline: pipeline::Settings,
    /// How many times a message answered SERVFAIL is written again.
    pub servfail_retries: u32,
}

impl<'a> Options<'a> {
    /// Sign with `key` (if any), the usual fudge, default pipelining.
    pub fn new(key: Option<&'a Key>) -> Self {
        Self {
            key,
            fudge: tsig::DEFAULT_FUDGE,
            pipeline: pipeline::Settings::default(),
            servfail_retries: 2,
        }
    }
}

/// What became of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchStatus {
    /// The server answered NOERROR: every change of the batch is in the zone.
    Applied,
    /// The server answered with an error (see the outcome): none of its changes was applied.
    Rejected,
    /// Written, but no authentic answer came: it may or may not have been applied.
    Unknown(String),
    /// Never written: none of its changes was applied.
    NotSent(String),
    /// The message could not be built or signed: nothing was written.
    Invalid(String),
}

impl BatchStatus {
    /// A short word for reports: `applied`, `rejected`, `unknown`, `not-sent`, `invalid`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Rejected => "rejected",
            Self::Unknown(_) => "unknown",
            Self::NotSent(_) => "not-sent",
            Self::Invalid(_) => "invalid",
        }
    }
}

/// One batch's result.
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// What happened.
    pub status: BatchStatus,
    /// The last authentic answer, if any.
    pub outcome: Option<Outcome>,
    /// How many times the message was written (more than one: an earlier copy may have been
    /// applied, so a failed prerequisite may be our own doing).
    pub sends: u32,
    /// Size of the last message written (signed), 0 if none.
    pub bytes: usize,
}

/// The result of a bulk run.
#[derive(Debug, Clone)]
pub struct Run {
    /// One result per batch, in order.
    pub results: Vec<BatchResult>,
    /// The server the last connection went to.
    pub server: Option<SocketAddr>,
    /// TCP connections opened.
    pub connections: u32,
    /// Wall time from the first connection attempt to the last answer.
    pub elapsed: Duration,
    /// The batch whose answer (a TSIG error, NOTAUTH) stopped the run: every other message
    /// would have been answered the same way, so the rest were not sent.
    pub stopped_by: Option<usize>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

struct Exchange<'a> {
    batches: &'a [Batch],
    key: Option<&'a Key>,
    fudge: u16,
    /// Per batch: the MAC and time of the last signed write.
    macs: Vec<Option<(RequestMac, u64)>>,
    bytes: Vec<usize>,
    servfails: Vec<u32>,
    /// Per batch: the rcode of an unsigned error answer to our signed request, if one came.
    unsigned: Vec<Option<ResponseCode>>,
    servfail_retries: u32,
}

impl Requests for Exchange<'_> {
    type Answer = Outcome;

    fn build(&mut self, index: usize, busy: &[u16]) -> Result<Vec<u8>, String> {
        let id = loop {
            let id = random_id();
            if !busy.contains(&id) {
                break id;
            }
        };
        let wire = self.batches[index].to_wire(id);
        let request = match self.key {
            Some(key) => {
                let at = now();
                let (signed, mac) = tsig::sign_request(&wire, key, at, self.fudge)
                    .map_err(|e| format!("cannot sign the request: {e}"))?;
                self.macs[index] = Some((mac, at));
                signed
            }
            None => wire,
        };
        self.bytes[index] = request.len();
        Ok(request)
    }

    /// The same acceptance rules as every other exchange (`client::check_answer`: QR, opcode,
    /// zone, TSIG); the pipeline has already matched the ID to this batch.
    fn accept(&mut self, index: usize, bytes: &[u8]) -> Verdict<Outcome> {
        let Some(id) = bytes.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
            return Verdict::Ignore("a message shorter than a DNS header".into());
        };
        let batch = &self.batches[index];
        let question = (batch.zone().clone(), RecordType::SOA, batch.class());
        let (mac, at) = match &self.macs[index] {
            Some((mac, at)) => (Some(mac), Some(*at)),
            None => (None, None),
        };
        match client::check_answer(bytes, id, OpCode::Update, &question, self.key, mac, at) {
            Verdict::Accept((mut outcome, _truncated)) => {
                outcome.tcp = true;
                Verdict::Accept(outcome)
            }
            Verdict::Ignore(why) => {
                if let Some(rcode) = client::unsigned_rcode(bytes, id, self.key) {
                    self.unsigned[index] = Some(rcode);
                }
                Verdict::Ignore(why)
            }
        }
    }

    fn step(&mut self, index: usize, answer: &Outcome) -> Step {
        if answer.tsig_error.is_some() {
            return Step::Stop;
        }
        match answer.rcode() {
            ResponseCode::NotAuth => Step::Stop,
            ResponseCode::ServFail if self.servfails[index] < self.servfail_retries => {
                let delay = Duration::from_millis(100 << (2 * self.servfails[index]));
                self.servfails[index] += 1;
                Step::RetryAfter(delay)
            }
            _ => Step::Done,
        }
    }
}

/// Send `batches` to the first of `servers` that accepts a TCP connection (the next ones if
/// it is lost), pipelined, and say what became of each.
pub async fn apply(batches: &[Batch], servers: &[SocketAddr], options: &Options<'_>) -> Run {
    let started = tokio::time::Instant::now();
    let n = batches.len();
    let mut exchange = Exchange {
        batches,
        key: options.key,
        fudge: options.fudge,
        macs: vec![None; n],
        bytes: vec![0; n],
        servfails: vec![0; n],
        unsigned: vec![None; n],
        servfail_retries: options.servfail_retries,
    };
    let summary = pipeline::run(servers, n, &mut exchange, &options.pipeline).await;
    let server = summary.server;
    let stopped_by = summary.stopped_by;
    let results = summary
        .fates
        .into_iter()
        .enumerate()
        .map(|(i, fate)| {
            let bytes = exchange.bytes[i];
            let why = |f: &Failure| match (exchange.unsigned[i], server) {
                (Some(rcode), Some(s)) => format!(
                    "{s} answered {} without a TSIG signature (it could not parse the \
                     request, or the answer is forged); then: {f}",
                    rcode_name(rcode)
                ),
                _ => match server {
                    Some(s) => format!("{s}: {f}"),
                    None => f.to_string(),
                },
            };
            match fate {
                Fate::Answered { mut answer, sends } => {
                    answer.sends = sends;
                    if let Some(s) = server {
                        answer.server = s;
                    }
                    let status = if answer.is_success() {
                        BatchStatus::Applied
                    } else {
                        BatchStatus::Rejected
                    };
                    BatchResult {
                        status,
                        outcome: Some(answer),
                        sends,
                        bytes,
                    }
                }
                Fate::Unanswered { failure, sends } => BatchResult {
                    status: BatchStatus::Unknown(why(&failure)),
                    outcome: None,
                    sends,
                    bytes,
                },
                Fate::NotSent(failure) => BatchResult {
                    status: BatchStatus::NotSent(match (stopped_by, failure) {
                        (Some(j), _) => format!(
                            "message {} was answered with an error every message would get",
                            j + 1
                        ),
                        (None, Some(f)) => f.to_string(),
                        (None, None) => "not sent".to_string(),
                    }),
                    outcome: None,
                    sends: 0,
                    bytes,
                },
                Fate::Invalid(e) => BatchResult {
                    status: BatchStatus::Invalid(e),
                    outcome: None,
                    sends: 0,
                    bytes,
                },
            }
        })
        .collect();
    Run {
        results,
        server,
        connections: summary.connections,
        elapsed: started.elapsed(),
        stopped_by,
    }
}
