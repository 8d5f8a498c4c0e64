//! GSS-TSIG signing and verification (RFC 3645 section 4): a TSIG RR whose algorithm is
//! `gss-tsig.` (or `gss.microsoft.com.`) and whose MAC is the GSS-API MIC (`gss_get_mic`) of
//! the RFC 8945 digest (section 4.3), computed by the [`SecurityContext`] of a [`GssKey`].
//!
//! Answers are verified per the key's [`VerifyPolicy`]. Samba's DNS server (up to at least
//! 4.17, `source4/dns_server/dns_crypto.c`) digests the request MAC *without* its 2-byte length
//! when it signs an answer; `compatible` accepts that variant as well and says so in
//! [`GssVerified::variant`], so a front end can report the true outcome where BIND's nsupdate
//! prints "tsig verify failure".
//!
//! No I/O and no clock: the time is an argument.

use crate::gss::{GssError, GssKey, SecurityContext, VerifyPolicy};

use super::sign::{TsigError, TsigRcode};
use super::verify::VerifyError;
use super::wire::{self, ARCOUNT_OFFSET, CLASS_ANY, Found, HEADER_LEN, MAX_TIME, TsigFields};

/// What the client keeps from a GSS-TSIG signed request to verify the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssRequestMac {
    pub(crate) key_name: Vec<u8>,
    pub(crate) mac: Vec<u8>,
    pub(crate) original_id: u16,
}

impl GssRequestMac {
    /// The MIC sent with the request.
    pub fn mac(&self) -> &[u8] {
        &self.mac
    }
}

/// How an answer's signature was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVariant {
    /// RFC 8945 section 4.3.1: the request MAC with its length.
    Rfc8945,
    /// Samba's form: the request MAC without its length (accepted under `compatible`).
    SambaNoMacLength,
    /// Not checked (`off`).
    NotChecked,
    /// An unsigned BADSIG/BADKEY error answer (RFC 8945 section 5.3.2): nothing authenticated.
    Unsigned,
}

/// A GSS-TSIG answer that passed the key's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GssVerified {
    /// The answer without its TSIG RR, ARCOUNT decremented, ID = original ID.
    pub message: Vec<u8>,
    /// The TSIG error the server reported, if any.
    pub server_error: Option<TsigRcode>,
    /// Time signed in the answer (for BADTIME, the server's clock from Other Data).
    pub server_time: u64,
    /// How the signature was accepted.
    pub variant: SignatureVariant,
}

/// Why a GSS-TSIG request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GssSignError {
    /// The message is not signable (see [`TsigError`]).
    #[error(transparent)]
    Tsig(#[from] TsigError),
    /// The GSS library refused to compute the MIC (for example, the context expired).
    #[error("GSS-API get_mic failed: {0}")]
    Gss(GssError),
}

/// The RFC 8945 section 4.3 digest: `prior` MAC (with its length unless `omit_prior_length`),
/// the message (original ID, no TSIG RR), then the TSIG variables.
#[allow(clippy::too_many_arguments)]
fn digest(
    prior: Option<&[u8]>,
    omit_prior_length: bool,
    message: &[u8],
    owner: &[u8],
    algorithm: &[u8],
    time_signed: u64,
    fudge: u16,
    error: u16,
    other: &[u8],
) -> Vec<u8> {
    let mut d = Vec::with_capacity(message.len() + 128);
    if let Some(prior) = prior {
        if !omit_prior_length {
            d.extend_from_slice(&(prior.len() as u16).to_be_bytes());
        }
        d.extend_from_slice(prior);
    }
    d.extend_from_slice(message);
    d.extend_from_slice(owner);
    d.extend_from_slice(&CLASS_ANY.to_be_bytes());
    d.extend_from_slice(&0u32.to_be_bytes());
    d.extend_from_slice(algorithm);
    d.extend_from_slice(&wire::u48_bytes(time_signed));
    d.extend_from_slice(&fudge.to_be_bytes());
    d.extend_from_slice(&error.to_be_bytes());
    d.extend_from_slice(&(other.len() as u16).to_be_bytes());
    d.extend_from_slice(other);
    d
}

/// Sign a request with a GSS-TSIG key (RFC 3645 section 4.1 with RFC 8945 section 4.3):
/// `message` is a complete unsigned DNS message; `time` is seconds since the epoch.
pub fn sign_request_gss(
    message: &[u8],
    key: &GssKey,
    time: u64,
    fudge: u16,
) -> Result<(Vec<u8>, GssRequestMac), GssSignError> {
    key.with_context(|ctx| sign_with(message, key, ctx, time, fudge))
}

fn sign_with(
    message: &[u8],
    key: &GssKey,
    ctx: &mut dyn SecurityContext,
    time: u64,
    fudge: u16,
) -> Result<(Vec<u8>, GssRequestMac), GssSignError> {
    if time > MAX_TIME {
        return Err(TsigError::TimeOutOfRange(time).into());
    }
    let too_short = || TsigError::MessageTooShort { len: message.len() };
    if message.len() < HEADER_LEN {
        return Err(too_short().into());
    }
    let original_id = wire::header_u16(message, 0).map_err(|_| too_short())?;
    let arcount = wire::header_u16(message, ARCOUNT_OFFSET).map_err(|_| too_short())?;
    let arcount = arcount.checked_add(1).ok_or(TsigError::TooManyRecords)?;
    let owner = wire::canonical_name_bytes(key.name());
    let algorithm = key.algorithm().wire_bytes();
    let d = digest(None, false, message, &owner, algorithm, time, fudge, 0, &[]);
    let mac = ctx.get_mic(&d).map_err(GssSignError::Gss)?;
    let mut signed = message.to_vec();
    wire::set_header_u16(&mut signed, ARCOUNT_OFFSET, arcount).map_err(|_| too_short())?;
    let fields = TsigFields {
        owner: &owner,
        algorithm,
        time_signed: time,
        fudge,
        mac: &mac,
        original_id,
        error: 0,
        other: &[],
    };
    let too_long = TsigError::MessageTooLong {
        len: signed.len() + owner.len() + algorithm.len() + 26 + mac.len(),
    };
    fields.write(&mut signed).map_err(|_| too_long.clone())?;
    if signed.len() > usize::from(u16::MAX) {
        return Err(too_long.into());
    }
    Ok((
        signed,
        GssRequestMac {
            key_name: owner,
            mac,
            original_id,
        },
    ))
}

/// Verify an answer to a request signed with `key` (RFC 8945 section 5.3.1 order: key name and
/// algorithm, the MIC per the key's policy, then the time at `now`).
///
/// An unsigned answer with error BADSIG or BADKEY and an empty MAC is accepted with
/// [`SignatureVariant::Unsigned`] (section 5.3.2).
pub fn verify_response_gss(
    response: &[u8],
    request: &GssRequestMac,
    key: &GssKey,
    now: u64,
) -> Result<GssVerified, VerifyError> {
    let malformed = |e: wire::WireError| VerifyError::Malformed(e.0.to_string());
    let tsig = match wire::find_tsig(response).map_err(malformed)? {
        Found::None => return Err(VerifyError::NoTsig),
        Found::NotLast => return Err(VerifyError::NotLast),
        Found::Last(tsig) => tsig,
    };
    if tsig.owner != request.key_name || wire::canonical_name_bytes(key.name()) != tsig.owner {
        return Err(VerifyError::KeyMismatch);
    }
    if crate::gss::GssAlgorithm::from_wire_bytes(&tsig.algorithm) != Some(key.algorithm()) {
        return Err(VerifyError::AlgorithmMismatch);
    }
    let mut message = response
        .get(..tsig.start)
        .ok_or_else(|| VerifyError::Malformed("TSIG record outside the message".into()))?
        .to_vec();
    let arcount = wire::header_u16(&message, ARCOUNT_OFFSET).map_err(malformed)?;
    wire::set_header_u16(&mut message, ARCOUNT_OFFSET, arcount.saturating_sub(1))
        .map_err(malformed)?;
    wire::set_header_u16(&mut message, 0, tsig.original_id).map_err(malformed)?;
    let server_error = TsigRcode::from_code(tsig.error);
    let server_time = match (server_error, tsig.other.len()) {
        (Some(TsigRcode::BadTime), 6) => wire::read_u48(tsig.other),
        _ => tsig.time_signed,
    };
    let done = |variant| GssVerified {
        message: message.clone(),
        server_error,
        server_time,
        variant,
    };
    if tsig.mac.is_empty() && matches!(server_error, Some(TsigRcode::BadSig | TsigRcode::BadKey)) {
        return Ok(done(SignatureVariant::Unsigned));
    }
    let digest_of = |omit: bool| {
        digest(
            Some(&request.mac),
            omit,
            &message,
            &tsig.owner,
            &tsig.algorithm,
            tsig.time_signed,
            tsig.fudge,
            tsig.error,
            tsig.other,
        )
    };
    let variant = match key.policy() {
        VerifyPolicy::Off => SignatureVariant::NotChecked,
        policy => key.with_context(|ctx| {
            if ctx.verify_mic(&digest_of(false), tsig.mac).is_ok() {
                Ok(SignatureVariant::Rfc8945)
            } else if policy == VerifyPolicy::Compatible
                && ctx.verify_mic(&digest_of(true), tsig.mac).is_ok()
            {
                Ok(SignatureVariant::SambaNoMacLength)
            } else {
                Err(VerifyError::BadMac)
            }
        })?,
    };
    if variant != SignatureVariant::NotChecked
        && server_error != Some(TsigRcode::BadTime)
        && now.abs_diff(tsig.time_signed) > u64::from(tsig.fudge)
    {
        return Err(VerifyError::BadTime {
            server_time: tsig.time_signed,
            now,
            fudge: tsig.fudge,
        });
    }
    Ok(done(variant))
}

/// Sign a response as a server does, for tests, fuzz targets and fake servers: `mic` computes
/// the server's MIC; `omit_prior_length` produces Samba's variant. `None` for a response that
/// cannot carry a TSIG RR (shorter than a header, full additional section, too long).
#[doc(hidden)]
pub fn sign_response_gss(
    response: &[u8],
    request: &GssRequestMac,
    algorithm: crate::gss::GssAlgorithm,
    time: u64,
    omit_prior_length: bool,
    mic: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Option<Vec<u8>> {
    let mut digested = response.to_vec();
    wire::set_header_u16(&mut digested, 0, request.original_id).ok()?;
    let d = digest(
        Some(&request.mac),
        omit_prior_length,
        &digested,
        &request.key_name,
        algorithm.wire_bytes(),
        time,
        300,
        0,
        &[],
    );
    let mac = mic(&d);
    let mut signed = response.to_vec();
    let arcount = wire::header_u16(&signed, ARCOUNT_OFFSET).ok()?;
    wire::set_header_u16(&mut signed, ARCOUNT_OFFSET, arcount.checked_add(1)?).ok()?;
    TsigFields {
        owner: &request.key_name,
        algorithm: algorithm.wire_bytes(),
        time_signed: time,
        fudge: 300,
        mac: &mac,
        original_id: request.original_id,
        error: 0,
        other: &[],
    }
    .write(&mut signed)
    .ok()?;
    (signed.len() <= usize::from(u16::MAX)).then_some(signed)
}

#[cfg(test)]
mod tests;
