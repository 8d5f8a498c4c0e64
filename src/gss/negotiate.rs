//! The TKEY exchange (RFC 3645 section 3.1) over TCP: the tokio layer that moves the GSS tokens
//! built and parsed by [`crate::tsig::tkey`] between a [`SecurityContext`] and one server, and
//! returns the established [`GssKey`].
//!
//! GSS calls may talk to the KDC (blocking network I/O inside the library), so they run on
//! tokio's blocking pool, never on the runtime's own thread.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::rr::Name;

use super::system::{Credentials, Mechanism};
use super::{GssAlgorithm, GssError, GssErrorKind, GssKey, SecurityContext, Step, VerifyPolicy};
use crate::transport::{self, NoAnswer, Verdict};
use crate::tsig::tkey::{self, TkeyError};

/// Where the credentials come from and how to negotiate.
#[derive(Debug, Clone, Default)]
pub struct GssOptions {
    /// `gss-tsig` (default) or `gss.microsoft.com` (nsupdate `-o`).
    pub algorithm: Option<GssAlgorithm>,
    /// How to check answer signatures (compatible by default).
    pub policy: VerifyPolicy,
    /// SPNEGO (default, as nsupdate) or raw Kerberos 5.
    pub mechanism: Mechanism,
    /// Our principal (default: the ticket cache's, or the keytab's first).
    pub principal: Option<String>,
    /// A keytab to get tickets from instead of the ticket cache.
    pub keytab: Option<PathBuf>,
    /// The realm of the server's principal (nsupdate `realm`; default: our principal's realm).
    pub realm: Option<String>,
    /// The whole service principal, overriding `DNS/<primary>@<realm>`.
    pub service: Option<String>,
}

/// Why no GSS-TSIG key was established.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiateError {
    /// The GSS library failed (no ticket, unknown principal, clock skew, no library...).
    #[error("{0}")]
    Gss(#[from] GssError),
    /// The server refused or garbled the TKEY exchange.
    #[error("{0}")]
    Tkey(#[from] TkeyError),
    /// The server did not answer the TKEY query.
    #[error("no answer to the TKEY query: {0}")]
    Network(NoAnswer),
    /// The negotiation did not finish within the allowed number of rounds.
    #[error("the GSS negotiation did not finish after {0} rounds")]
    TooManyRounds(usize),
}

impl NegotiateError {
    /// The GSS failure kind, if this is one.
    pub fn gss_kind(&self) -> Option<GssErrorKind> {
        match self {
            NegotiateError::Gss(e) => Some(e.kind),
            _ => None,
        }
    }
}

/// The server's principal as nsupdate derives it: `DNS/<primary without the final dot>@REALM`.
pub fn service_principal(primary: &Name, realm: &str) -> String {
    let host = primary.to_ascii();
    format!("DNS/{}@{realm}", host.trim_end_matches('.'))
}

/// Upper bound on token round trips (Kerberos needs one, SPNEGO at most two).
const MAX_ROUNDS: usize = 8;

/// Acquire credentials per `opts` (blocking: may read a keytab).
pub fn credentials(opts: &GssOptions) -> Result<Arc<Credentials>, GssError> {
    Credentials::acquire(opts.principal.as_deref(), opts.keytab.as_deref()).map(Arc::new)
}

/// A TKEY message of the negotiation as sent or received, for debug output (nsupdate `-d`
/// prints both).
#[derive(Debug, Clone, Copy)]
pub enum TkeyMessage<'a> {
    /// The TKEY query about to be sent.
    Query(&'a [u8]),
    /// The server's answer to it.
    Answer(&'a [u8]),
}

/// Where [`negotiate_traced`] reports the TKEY messages.
pub type Trace<'a> = &'a mut (dyn FnMut(TkeyMessage<'_>) + Send);

/// Establish a GSS-TSIG key with `server`, whose zone's primary is `primary`, using `creds`.
pub async fn negotiate(
    server: SocketAddr,
    primary: &Name,
    creds: &Arc<Credentials>,
    opts: &GssOptions,
    config: &transport::Config,
) -> Result<GssKey, NegotiateError> {
    negotiate_traced(server, primary, creds, opts, config, &mut |_| {}).await
}

/// [`negotiate`], reporting each TKEY query and answer to `trace`.
pub async fn negotiate_traced(
    server: SocketAddr,
    primary: &Name,
    creds: &Arc<Credentials>,
    opts: &GssOptions,
    config: &transport::Config,
    trace: Trace<'_>,
) -> Result<GssKey, NegotiateError> {
    let target = match (&opts.service, opts.realm.as_deref(), creds.realm()) {
        (Some(service), _, _) => service.clone(),
        (None, Some(realm), _) | (None, None, Some(realm)) => service_principal(primary, realm),
        (None, None, None) => service_principal(primary, ""),
    };
    tracing::debug!(%server, %target, principal = creds.principal(), "GSS-TSIG negotiation");
    let mech = opts.mechanism;
    let new_context = |target: String| {
        let creds = Arc::clone(creds);
        blocking(move || creds.context(&target, mech).map(|c| Box::new(c) as _))
    };
    let context = new_context(target.clone()).await?;
    match negotiate_with(server, primary, context, opts, config, trace).await {
        // nsupdate (recvgss): a server that answers FORMERR to one algorithm form (Samba, to
        // the Windows 2000 gss.microsoft.com form) is asked once more in the other.
        Err(NegotiateError::Tkey(TkeyError::Rcode(rcode))) if rcode == "FORMERR" => {
            let other = match opts.algorithm.unwrap_or(GssAlgorithm::GssTsig) {
                GssAlgorithm::GssTsig => GssAlgorithm::Microsoft,
                GssAlgorithm::Microsoft => GssAlgorithm::GssTsig,
            };
            tracing::debug!(%server, "TKEY FORMERR: trying the {} form", other.as_str());
            let opts = GssOptions {
                algorithm: Some(other),
                ..opts.clone()
            };
            let context = new_context(target).await?;
            negotiate_with(server, primary, context, &opts, config, trace).await
        }
        other => other,
    }
}

/// The exchange itself, over any [`SecurityContext`] (tests use a fake).
pub async fn negotiate_with(
    server: SocketAddr,
    primary: &Name,
    mut context: Box<dyn SecurityContext>,
    opts: &GssOptions,
    config: &transport::Config,
    trace: Trace<'_>,
) -> Result<GssKey, NegotiateError> {
    let algorithm = opts.algorithm.unwrap_or(GssAlgorithm::GssTsig);
    let key_name = tkey::key_name(random_u32(), primary)?;
    let config = transport::Config {
        tcp: true,
        ..config.clone()
    };
    let mut input: Option<Vec<u8>> = None;
    let mut expires = 0;
    for _ in 0..MAX_ROUNDS {
        let input_now = input.take();
        let (returned, step) = blocking(move || {
            let step = context.step(input_now.as_deref());
            Ok((context, step))
        })
        .await?;
        context = returned;
        let (token, done) = match step? {
            Step::Continue(token) => (Some(token), false),
            Step::Done(token) => (token, true),
        };
        if let Some(token) = token {
            let now = now();
            let id = crate::client::random_id();
            let query = tkey::build_query(id, &key_name, algorithm, now, &token)?;
            let accept = |bytes: &[u8]| {
                if tkey::matches_query(bytes, id) {
                    Verdict::Accept((bytes.to_vec(), false))
                } else {
                    Verdict::Ignore("not the answer to our TKEY query".into())
                }
            };
            trace(TkeyMessage::Query(&query));
            let answered = transport::exchange(&[server], &query, &config, accept)
                .await
                .map_err(NegotiateError::Network)?;
            trace(TkeyMessage::Answer(&answered.value));
            let answer = tkey::parse_answer(&answered.value, &key_name)?;
            expires = match answer.lifetime() {
                0 => now + 3600,
                lifetime => now + u64::from(lifetime),
            };
            input = Some(answer.token);
        }
        if done {
            return Ok(GssKey::new(
                key_name,
                algorithm,
                opts.policy,
                context,
                expires,
            ));
        }
    }
    Err(NegotiateError::TooManyRounds(MAX_ROUNDS))
}

/// Run a GSS call on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, GssError> + Send + 'static,
) -> Result<T, GssError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(GssError::new(
            GssErrorKind::Other,
            format!("GSS call failed: {e}"),
        ))
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random_u32() -> u32 {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 4];
    if SystemRandom::new().fill(&mut b).is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        return nanos;
    }
    u32::from_be_bytes(b)
}
