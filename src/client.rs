//! One signed exchange with a server: build, sign, send, match and verify the answer.
//!
//! DNS answers are results, not errors: an answer with REFUSED, NXRRSET or a TSIG error from the
//! server is an [`Outcome`]. Only failures to produce or receive an authentic answer are
//! [`ClientError`]s (RFC 2136 section 3.8, RFC 8945 section 5.3).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};

use crate::gss::GssKey;
use crate::transport::{self, NoAnswer, Verdict};
use crate::tsig::gss::{GssRequestMac, SignatureVariant};
use crate::tsig::{self, Key, RequestMac, TsigRcode};
use crate::update::{Update, UpdateError};

/// The key a request is signed with: an HMAC TSIG key, or an established GSS-TSIG context.
#[derive(Debug, Clone, Copy)]
pub enum SigningKey<'a> {
    /// TSIG with an HMAC (RFC 8945).
    Hmac(&'a Key),
    /// GSS-TSIG (RFC 3645): the MAC is the GSS MIC of the same digest.
    Gss(&'a GssKey),
}

impl<'a> From<&'a Key> for SigningKey<'a> {
    fn from(key: &'a Key) -> Self {
        SigningKey::Hmac(key)
    }
}

impl<'a> From<&'a GssKey> for SigningKey<'a> {
    fn from(key: &'a GssKey) -> Self {
        SigningKey::Gss(key)
    }
}

/// How to sign a request.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    /// The TSIG key (HMAC or GSS-TSIG).
    pub key: SigningKey<'a>,
    /// Allowed clock difference in seconds (RFC 8945 section 5.2.3).
    pub fudge: u16,
    /// Sign as if the clock said this (seconds since the epoch); `None` uses the system clock.
    /// Tests use it to provoke BADTIME.
    pub time: Option<u64>,
}

impl<'a> Signer<'a> {
    /// Sign with `key`, the usual fudge of 300 s and the system clock.
    pub fn new(key: impl Into<SigningKey<'a>>) -> Self {
        Self {
            key: key.into(),
            fudge: tsig::DEFAULT_FUDGE,
            time: None,
        }
    }
}

/// What a signed request keeps to verify its answer.
enum RequestState<'a> {
    Hmac(&'a Key, RequestMac),
    Gss(&'a GssKey, GssRequestMac),
}

/// An authentic answer from a server.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The server that answered.
    pub server: SocketAddr,
    /// True if the answer came over TCP.
    pub tcp: bool,
    /// The answer, without its TSIG record.
    pub response: Message,
    /// The TSIG error the server reported about our request (BADSIG, BADKEY, BADTIME, ...).
    pub tsig_error: Option<TsigRcode>,
    /// When the server signed its answer; for BADTIME, the server's clock.
    pub server_time: Option<u64>,
    /// When we signed the request.
    pub signed_at: Option<u64>,
    /// The TSIG MAC of the answer was verified with our key.
    pub authenticated: bool,
    /// For GSS-TSIG: how the answer's signature was accepted (Samba's variant is reported so
    /// the front ends can say so).
    pub gss_signature: Option<SignatureVariant>,
    /// The raw answer as received (with its TSIG record).
    pub raw: Vec<u8>,
    /// The request as sent, signed (nsupdate -d prints it; a GSS-TSIG MIC cannot be made
    /// again for the print without using up a sequence number).
    pub request: Vec<u8>,
    /// How many times the request was sent; more than one means an earlier copy may have been
    /// applied although its answer was lost (so a prerequisite failure may be our own doing).
    pub sends: u32,
}

impl Outcome {
    /// The response code (extended with the TSIG error where there is one, as nsupdate prints it).
    pub fn rcode(&self) -> ResponseCode {
        self.response.metadata.response_code
    }

    /// The response code's mnemonic (NOERROR, REFUSED, NXRRSET, ...).
    pub fn rcode_name(&self) -> String {
        rcode_name(self.rcode())
    }

    /// True for NOERROR without a TSIG error.
    pub fn is_success(&self) -> bool {
        self.rcode() == ResponseCode::NoError && self.tsig_error.is_none()
    }

    /// Server clock minus our signing clock, in seconds, when the server reported BADTIME.
    pub fn clock_skew(&self) -> Option<i64> {
        match (self.tsig_error, self.server_time, self.signed_at) {
            (Some(TsigRcode::BadTime), Some(server), Some(ours)) => {
                Some(server as i64 - ours as i64)
            }
            _ => None,
        }
    }
}

/// The mnemonic of a response code as dig and nsupdate print it (RFC 1035, 2136, 6895).
pub fn rcode_name(rcode: ResponseCode) -> String {
    let code = u16::from(rcode);
    let name = match code {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => "BADVERS",
        _ => return format!("RCODE{code}"),
    };
    name.to_string()
}

/// Why no authentic answer was obtained.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The update could not be encoded.
    #[error(transparent)]
    Encode(#[from] UpdateError),
    /// The request could not be signed.
    #[error("cannot sign the request: {0}")]
    Sign(String),
    /// Answers arrived but none passed TSIG verification (forged, or signed with another key).
    #[error("no authentic answer: {0}")]
    Unverified(NoAnswer),
    /// The server answered a signed request with an error and without a TSIG (RFC 8945
    /// section 5.2: it could not parse the request, so it could not sign). Not authenticated.
    #[error(
        "{server} answered {rcode} without a TSIG signature (it could not parse the request, or the answer is forged)"
    )]
    UnsignedError {
        /// Who answered.
        server: SocketAddr,
        /// The response code's mnemonic.
        rcode: String,
    },
    /// No answer at all from any server.
    #[error("{0}")]
    Network(NoAnswer),
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A random message ID from the system CSPRNG (RFC 5452 section 9.2 spirit: unpredictable IDs).
pub fn random_id() -> u16 {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 2];
    // If the OS RNG fails there is nothing better to use; fall back to the clock's nanoseconds.
    if SystemRandom::new().fill(&mut b).is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        return nanos as u16;
    }
    u16::from_be_bytes(b)
}

/// Send an UPDATE and wait for its authentic answer.
pub async fn send_update(
    update: &Update,
    signer: Option<Signer<'_>>,
    servers: &[SocketAddr],
    config: &transport::Config,
) -> Result<Outcome, ClientError> {
    let id = random_id();
    let wire = update.to_wire(id)?;
    let question = (update.zone().clone(), RecordType::SOA, update.class());
    exchange(
        wire,
        OpCode::Update,
        question,
        signer,
        servers,
        config,
        false,
    )
    .await
}

/// Send a query (RD as given) and wait for its authentic answer.
pub async fn query(
    name: &Name,
    rtype: RecordType,
    recursion_desired: bool,
    signer: Option<Signer<'_>>,
    servers: &[SocketAddr],
    config: &transport::Config,
) -> Result<Outcome, ClientError> {
    let id = random_id();
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = recursion_desired;
    msg.add_query(Query::query(name.clone(), rtype));
    let wire = msg
        .to_vec()
        .map_err(|e| ClientError::Encode(UpdateError::Encode(e.to_string())))?;
    let question = (name.clone(), rtype, DNSClass::IN);
    exchange(
        wire,
        OpCode::Query,
        question,
        signer,
        servers,
        config,
        false,
    )
    .await
}

/// [`query`], but an answer with our ID and any opcode is the answer: BIND's nsupdate matches
/// answers to its SOA query by ID and then ends with `invalid OPCODE in response to SOA
/// query` when the opcode is not QUERY; its front end does the same (`script::soa_step`).
pub async fn query_any_opcode(
    name: &Name,
    rtype: RecordType,
    recursion_desired: bool,
    signer: Option<Signer<'_>>,
    servers: &[SocketAddr],
    config: &transport::Config,
) -> Result<Outcome, ClientError> {
    let id = random_id();
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = recursion_desired;
    msg.add_query(Query::query(name.clone(), rtype));
    let wire = msg
        .to_vec()
        .map_err(|e| ClientError::Encode(UpdateError::Encode(e.to_string())))?;
    let question = (name.clone(), rtype, DNSClass::IN);
    exchange(wire, OpCode::Query, question, signer, servers, config, true).await
}

async fn exchange(
    wire: Vec<u8>,
    op_code: OpCode,
    question: (Name, RecordType, DNSClass),
    signer: Option<Signer<'_>>,
    servers: &[SocketAddr],
    config: &transport::Config,
    any_opcode: bool,
) -> Result<Outcome, ClientError> {
    let id = u16::from_be_bytes([wire[0], wire[1]]);
    let (request, state, signed_at) = match signer {
        Some(s) => {
            let at = s.time.unwrap_or_else(now);
            let (signed, state) = match s.key {
                SigningKey::Hmac(key) => {
                    let (signed, mac) = tsig::sign_request(&wire, key, at, s.fudge)
                        .map_err(|e| ClientError::Sign(e.to_string()))?;
                    (signed, RequestState::Hmac(key, mac))
                }
                SigningKey::Gss(key) => {
                    let (signed, mac) = tsig::gss::sign_request_gss(&wire, key, at, s.fudge)
                        .map_err(|e| ClientError::Sign(e.to_string()))?;
                    (signed, RequestState::Gss(key, mac))
                }
            };
            (signed, Some(state), Some(at))
        }
        None => (wire, None, None),
    };
    let signed = state.is_some();
    // The last unsigned error answer to a signed request, to explain a failure at the end.
    // (An atomic rather than a Cell keeps this future Send, so callers may spawn it.)
    let unsigned_error = std::sync::atomic::AtomicU32::new(NO_RCODE);
    let accept = |bytes: &[u8]| {
        let op_code = match bytes.get(2) {
            Some(&b) if any_opcode && b & 0x80 != 0 => OpCode::from_u8((b >> 3) & 0x0f),
            _ => op_code,
        };
        let verdict = check_answer_with(bytes, id, op_code, &question, state.as_ref(), signed_at);
        if let (Verdict::Ignore(_), Some(rcode)) = (&verdict, unsigned_rcode_if(bytes, id, signed))
        {
            unsigned_error.store(u32::from(u16::from(rcode)), Ordering::Relaxed);
        }
        verdict
    };
    match transport::exchange(servers, &request, config, accept).await {
        Ok(answered) => {
            let mut outcome = answered.value;
            outcome.server = answered.server;
            outcome.tcp = answered.tcp;
            outcome.sends = answered.sends;
            outcome.request = request;
            Ok(outcome)
        }
        Err(e) if e.only_rejected() => match (unsigned_error.into_inner(), e.0.last()) {
            (rcode, Some((server, _))) if rcode != NO_RCODE => Err(ClientError::UnsignedError {
                server: *server,
                rcode: rcode_name(ResponseCode::from((rcode >> 4) as u8, (rcode & 0x0f) as u8)),
            }),
            _ => Err(ClientError::Unverified(e)),
        },
        Err(e) => Err(ClientError::Network(e)),
    }
}

/// "No unsigned error answer seen" (response codes fit in 12 bits).
const NO_RCODE: u32 = u32::MAX;

/// The rcode of an error answer with our ID that carries no TSIG at all, when we signed.
pub(crate) fn unsigned_rcode(bytes: &[u8], id: u16, key: Option<&Key>) -> Option<ResponseCode> {
    unsigned_rcode_if(bytes, id, key.is_some())
}

fn unsigned_rcode_if(bytes: &[u8], id: u16, signed: bool) -> Option<ResponseCode> {
    if !signed {
        return None;
    }
    let msg = Message::from_vec(bytes).ok()?;
    let rcode = msg.metadata.response_code;
    (msg.metadata.id == id && msg.signature.is_none() && rcode != ResponseCode::NoError)
        .then_some(rcode)
}

/// Decide whether `bytes` is the answer to our request (RFC 2136 section 3.8: matched by ID;
/// RFC 5452: and by opcode and question; RFC 8945 section 5.3: and authentic).
pub(crate) fn check_answer(
    bytes: &[u8],
    id: u16,
    op_code: OpCode,
    question: &(Name, RecordType, DNSClass),
    key: Option<&Key>,
    mac: Option<&RequestMac>,
    signed_at: Option<u64>,
) -> Verdict<(Outcome, bool)> {
    let state = match (key, mac) {
        (Some(key), Some(mac)) => Some(RequestState::Hmac(key, mac.clone())),
        _ => None,
    };
    check_answer_with(bytes, id, op_code, question, state.as_ref(), signed_at)
}

fn check_answer_with(
    bytes: &[u8],
    id: u16,
    op_code: OpCode,
    question: &(Name, RecordType, DNSClass),
    state: Option<&RequestState<'_>>,
    signed_at: Option<u64>,
) -> Verdict<(Outcome, bool)> {
    let Some(header) = bytes.get(..4) else {
        return Verdict::Ignore("a message shorter than a DNS header".into());
    };
    if u16::from_be_bytes([header[0], header[1]]) != id {
        return Verdict::Ignore("an answer with another ID".into());
    }
    if header[2] & 0x80 == 0 || (header[2] >> 3) & 0x0f != u8::from(op_code) {
        return Verdict::Ignore("not a response to our opcode".into());
    }
    let mut gss_signature = None;
    let (plain, tsig_error, server_time, authenticated) = match state {
        Some(RequestState::Hmac(key, mac)) => match tsig::verify_response(bytes, mac, key, now()) {
            Ok(v) => (v.message, v.server_error, Some(v.server_time), v.signed),
            Err(e) => return Verdict::Ignore(format!("TSIG verification failed: {e}")),
        },
        Some(RequestState::Gss(key, mac)) => {
            match tsig::gss::verify_response_gss(bytes, mac, key, now()) {
                Ok(v) => {
                    gss_signature = Some(v.variant);
                    let authenticated = matches!(
                        v.variant,
                        SignatureVariant::Rfc8945 | SignatureVariant::SambaNoMacLength
                    );
                    (
                        v.message,
                        v.server_error,
                        Some(v.server_time),
                        authenticated,
                    )
                }
                Err(e) => return Verdict::Ignore(format!("GSS-TSIG verification failed: {e}")),
            }
        }
        None => (bytes.to_vec(), None, None, false),
    };
    let response = match Message::from_vec(&plain) {
        Ok(m) => m,
        Err(e) => return Verdict::Ignore(format!("a garbled answer: {e}")),
    };
    if let Some(q) = response.queries.first() {
        let (name, rtype, class) = question;
        if !q.name().eq_ignore_root(name) || q.query_type() != *rtype || q.query_class() != *class {
            return Verdict::Ignore(format!("an answer about another question ({q})"));
        }
    }
    let truncated = response.metadata.truncation;
    let outcome = Outcome {
        server: SocketAddr::from(([0, 0, 0, 0], 0)),
        tcp: false,
        response,
        tsig_error,
        server_time,
        signed_at,
        authenticated,
        gss_signature,
        raw: bytes.to_vec(),
        request: Vec::new(),
        sends: 1,
    };
    Verdict::Accept((outcome, truncated))
}
