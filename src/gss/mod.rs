//! GSS-TSIG (RFC 3645): secure dynamic updates signed with a Kerberos security context, as
//! Active Directory DNS and BIND with `tkey-gssapi-keytab` require.
//!
//! - [`SecurityContext`]: the small GSS interface the protocol needs (init/step, get_mic,
//!   verify_mic), so unit tests can use a fake and the system library stays swappable.
//! - [`system`]: that interface over the system's MIT `libgssapi_krb5.so.2`, loaded at run time
//!   only when GSS-TSIG is used (the release binary is a static PIE and cannot link it; see
//!   ARCHITECTURE.md, "GSS-TSIG and the system Kerberos library").
//! - the sans-IO protocol lives beside the HMAC code: [`crate::tsig::tkey`] (the RFC 2930
//!   mode 3 exchange) and [`crate::tsig::gss`] (signing and verifying with the GSS MIC).
//! - [`negotiate`]: the tokio layer that runs the TKEY exchange over TCP and returns a
//!   [`GssKey`] that [`crate::client::Signer`] signs with.

pub mod negotiate;
pub mod system;

use std::fmt;
use std::sync::Mutex;

use hickory_proto::rr::Name;

pub use negotiate::{
    GssOptions, NegotiateError, TkeyMessage, credentials, negotiate, negotiate_traced,
    service_principal,
};
pub use system::Mechanism;

/// The result of one step of context establishment (`gss_init_sec_context`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this token to the server and feed its answer token to the next step.
    Continue(Vec<u8>),
    /// The context is established. A final token, if any, still goes to the server.
    Done(Option<Vec<u8>>),
}

/// What kind of GSS failure happened, for a hint on what to do and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GssErrorKind {
    /// The Kerberos library is not installed (or could not be loaded).
    NoLibrary,
    /// This is a static build whose glibc differs from the system's, so the system Kerberos
    /// library cannot be loaded safely (the message says what to do).
    GlibcMismatch,
    /// No usable credentials: no ticket cache, an expired ticket, or an unreadable keytab.
    NoCredentials,
    /// The KDC does not know the service principal `DNS/<primary>@REALM`.
    UnknownServer,
    /// The KDC does not know our own principal.
    UnknownClient,
    /// The clocks of this host, the KDC or the server differ by more than Kerberos allows.
    ClockSkew,
    /// A MIC did not verify.
    BadMic,
    /// The security context expired: negotiate a new one.
    ContextExpired,
    /// Anything else the library reported.
    Other,
}

/// A GSS-API failure, with the library's own text. Contains no key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssError {
    /// The kind, for hints and tests.
    pub kind: GssErrorKind,
    /// The library's message (major and minor status texts).
    pub message: String,
}

impl GssError {
    /// A failure of `kind` with `message`.
    pub fn new(kind: GssErrorKind, message: impl Into<String>) -> Self {
        GssError {
            kind,
            message: message.into(),
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            GssErrorKind::NoLibrary => {
                "install the MIT Kerberos GSS-API library (Debian/Ubuntu: apt install libgssapi-krb5-2)"
            }
            GssErrorKind::NoCredentials => {
                "get a ticket with kinit, or give a keytab (--keytab, or KRB5_CLIENT_KTNAME)"
            }
            GssErrorKind::UnknownServer => {
                "the KDC does not know the server's principal DNS/<SOA primary>@<realm>: check the zone's SOA primary name and the realm (nsupdate: realm; native: --realm or --service)"
            }
            GssErrorKind::UnknownClient => "check the principal name and the realm",
            GssErrorKind::ClockSkew => {
                "synchronise the clocks of this host, the KDC and the DNS server"
            }
            GssErrorKind::ContextExpired => "the security context expired; run the update again",
            GssErrorKind::GlibcMismatch | GssErrorKind::BadMic | GssErrorKind::Other => {
                return None;
            }
        })
    }
}

impl fmt::Display for GssError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = self.hint() {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GssError {}

/// A GSS security context being established with, then established with, one DNS server's
/// service principal. Implemented over the system library ([`system`]) and by fakes in tests.
pub trait SecurityContext: Send {
    /// One round of `gss_init_sec_context`: `input` is the server's last token (`None` on the
    /// first call).
    fn step(&mut self, input: Option<&[u8]>) -> Result<Step, GssError>;
    /// `gss_get_mic` over `message` (an RFC 8945 digest).
    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, GssError>;
    /// `gss_verify_mic`: `Ok` if `mic` is the server's MIC over `message`.
    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), GssError>;
}

/// The TSIG algorithm name a GSS-TSIG key signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GssAlgorithm {
    /// `gss-tsig.` (RFC 3645; BIND, Samba, Windows 2003 and later).
    GssTsig,
    /// `gss.microsoft.com.` (nsupdate `-o` / `oldgsstsig`, for Windows 2000).
    Microsoft,
}

impl GssAlgorithm {
    /// The algorithm name as text (fully qualified).
    pub fn as_str(self) -> &'static str {
        match self {
            GssAlgorithm::GssTsig => "gss-tsig.",
            GssAlgorithm::Microsoft => "gss.microsoft.com.",
        }
    }

    /// The algorithm name in uncompressed wire form.
    pub(crate) fn wire_bytes(self) -> &'static [u8] {
        match self {
            GssAlgorithm::GssTsig => b"\x08gss-tsig\x00",
            GssAlgorithm::Microsoft => b"\x03gss\x09microsoft\x03com\x00",
        }
    }

    /// The algorithm for a wire name (case-insensitive).
    pub(crate) fn from_wire_bytes(bytes: &[u8]) -> Option<Self> {
        [GssAlgorithm::GssTsig, GssAlgorithm::Microsoft]
            .into_iter()
            .find(|a| a.wire_bytes().eq_ignore_ascii_case(bytes))
    }
}

/// How to check the signature of a GSS-TSIG signed answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum VerifyPolicy {
    /// RFC 8945 only: the answer's MIC covers the request MAC with its 2-byte length.
    Strict,
    /// RFC 8945, or Samba's variant that leaves the request-MAC length out of the digest
    /// (Samba `dns_crypto.c`); an answer that verifies only that way is reported as such.
    #[default]
    Compatible,
    /// Do not verify answer signatures (they are still required to be present and well formed
    /// for a NOERROR answer to count as signed).
    Off,
}

impl VerifyPolicy {
    /// Parse `strict`, `compatible` or `off`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "strict" => Some(VerifyPolicy::Strict),
            "compatible" => Some(VerifyPolicy::Compatible),
            "off" => Some(VerifyPolicy::Off),
            _ => None,
        }
    }
}

/// An established GSS-TSIG key: the TKEY key name, the algorithm name and the security context.
/// Several updates can be signed with one key until the context expires.
pub struct GssKey {
    name: Name,
    algorithm: GssAlgorithm,
    policy: VerifyPolicy,
    context: Mutex<Box<dyn SecurityContext>>,
    /// When the context expires (seconds since the epoch), as the TKEY answer said.
    expires: u64,
}

impl fmt::Debug for GssKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GssKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("policy", &self.policy)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl GssKey {
    /// A key over an established `context`.
    pub fn new(
        name: Name,
        algorithm: GssAlgorithm,
        policy: VerifyPolicy,
        context: Box<dyn SecurityContext>,
        expires: u64,
    ) -> Self {
        GssKey {
            name: name.to_lowercase(),
            algorithm,
            policy,
            context: Mutex::new(context),
            expires,
        }
    }

    /// The key name (`<random>.sig-<primary>.`).
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The TSIG algorithm name.
    pub fn algorithm(&self) -> GssAlgorithm {
        self.algorithm
    }

    /// The answer verification policy.
    pub fn policy(&self) -> VerifyPolicy {
        self.policy
    }

    /// When the context expires (seconds since the epoch).
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// Run `f` with the security context. A poisoned lock (a panic elsewhere while signing)
    /// still yields the context: GSS calls leave it consistent or fail.
    pub(crate) fn with_context<T>(&self, f: impl FnOnce(&mut dyn SecurityContext) -> T) -> T {
        let mut guard = self
            .context
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(guard.as_mut())
    }
}

/// A fake mechanism for unit tests and the fuzz targets; not for use.
#[doc(hidden)]
pub mod fake;
