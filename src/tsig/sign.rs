//! Signing (RFC 8945 sections 4.2-4.3 and 5.3): the client signs a request, and the server side
//! ([`sign_response`]) exists for tests and fake servers. The digest construction shared with
//! verification lives here too.

use std::fmt;

use hickory_proto::rr::Name;

use super::algorithm::HmacContext;
use super::key::Key;
use super::wire::{self, ARCOUNT_OFFSET, CLASS_ANY, HEADER_LEN, MAX_TIME, TsigFields};

/// The fudge BIND, Knot and nsupdate use: 300 seconds of allowed clock skew.
pub const DEFAULT_FUDGE: u16 = 300;

/// Why a message could not be signed. These are caller bugs, not network conditions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsigError {
    /// The message to sign is shorter than a DNS header.
    #[error("cannot sign a {len}-byte message: shorter than a DNS header")]
    MessageTooShort {
        /// The message length.
        len: usize,
    },
    /// ARCOUNT is already 65535, so no TSIG record can be added.
    #[error("cannot sign: the additional section is full")]
    TooManyRecords,
    /// The time does not fit in the 48-bit "time signed" field.
    #[error("cannot sign: time {0} does not fit in 48 bits")]
    TimeOutOfRange(u64),
    /// The signed message would exceed 65535 bytes, the DNS maximum.
    #[error("cannot sign: the signed message would be {len} bytes, over the 65535-byte limit")]
    MessageTooLong {
        /// The signed length.
        len: usize,
    },
}

/// A TSIG error code (RFC 8945 section 3; the TSIG RR's Error field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsigRcode {
    /// 16: the MAC did not verify (wrong secret, or the message was changed in transit).
    BadSig,
    /// 17: the server does not know the key name or its algorithm.
    BadKey,
    /// 18: the signing time is outside the fudge window: a clock is wrong.
    BadTime,
    /// 19: TKEY mode not supported.
    BadMode,
    /// 20: TKEY duplicate key name.
    BadName,
    /// 21: TKEY algorithm not supported.
    BadAlg,
    /// 22: the MAC was truncated below the receiver's policy.
    BadTrunc,
    /// Any other non-zero code.
    Other(u16),
}

impl TsigRcode {
    /// The numeric code.
    pub fn code(self) -> u16 {
        match self {
            TsigRcode::BadSig => 16,
            TsigRcode::BadKey => 17,
            TsigRcode::BadTime => 18,
            TsigRcode::BadMode => 19,
            TsigRcode::BadName => 20,
            TsigRcode::BadAlg => 21,
            TsigRcode::BadTrunc => 22,
            TsigRcode::Other(code) => code,
        }
    }

    /// The error for a TSIG Error field; `None` for 0, which means no error.
    pub fn from_code(code: u16) -> Option<TsigRcode> {
        Some(match code {
            0 => return None,
            16 => TsigRcode::BadSig,
            17 => TsigRcode::BadKey,
            18 => TsigRcode::BadTime,
            19 => TsigRcode::BadMode,
            20 => TsigRcode::BadName,
            21 => TsigRcode::BadAlg,
            22 => TsigRcode::BadTrunc,
            other => TsigRcode::Other(other),
        })
    }
}

impl fmt::Display for TsigRcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            TsigRcode::BadSig => "BADSIG",
            TsigRcode::BadKey => "BADKEY",
            TsigRcode::BadTime => "BADTIME",
            TsigRcode::BadMode => "BADMODE",
            TsigRcode::BadName => "BADNAME",
            TsigRcode::BadAlg => "BADALG",
            TsigRcode::BadTrunc => "BADTRUNC",
            TsigRcode::Other(code) => return write!(f, "TSIG error {code}"),
        };
        f.write_str(name)
    }
}

/// What the caller keeps from a signed request to verify the answer (RFC 8945 section 5.3.1:
/// the response digest starts with the request MAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMac {
    pub(crate) key_name: Name,
    pub(crate) algorithm: super::Algorithm,
    pub(crate) mac: Vec<u8>,
    pub(crate) original_id: u16,
}

impl RequestMac {
    /// The MAC as sent (possibly truncated).
    pub fn mac(&self) -> &[u8] {
        &self.mac
    }

    /// The message ID of the request, which the answer's TSIG must carry as its original ID.
    pub fn original_id(&self) -> u16 {
        self.original_id
    }

    /// The name of the signing key (fully qualified, lower case).
    pub fn key_name(&self) -> &Name {
        &self.key_name
    }

    /// The algorithm of the signing key.
    pub fn algorithm(&self) -> super::Algorithm {
        self.algorithm
    }
}

/// The TSIG variables of RFC 8945 section 4.3.3, names in canonical wire form.
pub(crate) struct Variables<'a> {
    pub(crate) owner: &'a [u8],
    pub(crate) algorithm: &'a [u8],
    pub(crate) time_signed: u64,
    pub(crate) fudge: u16,
    pub(crate) error: u16,
    pub(crate) other: &'a [u8],
}

/// The full-length MAC over: the prior MAC as `u16 length || MAC` when signing a response
/// (section 4.3.1), the message without its TSIG RR and with the original ID (section 4.3.2),
/// then the TSIG variables (section 4.3.3; class ANY and TTL 0 by definition).
pub(crate) fn compute_mac(
    key: &Key,
    prior_mac: Option<&[u8]>,
    message: &[u8],
    vars: &Variables<'_>,
) -> Vec<u8> {
    let mut ctx: HmacContext = key.algorithm().hmac(key.secret().expose());
    if let Some(prior) = prior_mac {
        ctx.update(&(prior.len() as u16).to_be_bytes());
        ctx.update(prior);
    }
    ctx.update(message);
    ctx.update(vars.owner);
    ctx.update(&CLASS_ANY.to_be_bytes());
    ctx.update(&0u32.to_be_bytes());
    ctx.update(vars.algorithm);
    ctx.update(&wire::u48_bytes(vars.time_signed));
    ctx.update(&vars.fudge.to_be_bytes());
    ctx.update(&vars.error.to_be_bytes());
    ctx.update(&(vars.other.len() as u16).to_be_bytes());
    ctx.update(vars.other);
    ctx.finish()
}

/// Sign a request (RFC 8945 section 4.3). `message` is a complete unsigned DNS message whose
/// ARCOUNT does not count the TSIG RR; `time` is seconds since the epoch.
///
/// Returns the message with the TSIG RR appended as the last additional record (ARCOUNT + 1),
/// and the [`RequestMac`] needed to verify the answer. The original ID is the message ID; the
/// owner and algorithm names are written uncompressed in lower case.
pub fn sign_request(
    message: &[u8],
    key: &Key,
    time: u64,
    fudge: u16,
) -> Result<(Vec<u8>, RequestMac), TsigError> {
    let original_id = check_signable(message, time)?;
    let tsig = Tsig {
        original_id,
        time,
        fudge,
        error: 0,
        other: &[],
    };
    let (signed, mac) = append_tsig(message, message, Prior::Request, key, &tsig)?;
    let request = RequestMac {
        key_name: key.name().clone(),
        algorithm: key.algorithm(),
        mac,
        original_id,
    };
    Ok((signed, request))
}

/// Sign a response as a server does (RFC 8945 sections 4.3.1 and 5.3), for tests and fake
/// servers. `error` goes in the TSIG Error field and `other` in Other Data (the server's 48-bit
/// time for BADTIME). A BADSIG or BADKEY response is sent unsigned, with an empty MAC, as
/// section 5.3.2 requires. The TSIG original ID is the request's.
pub fn sign_response(
    response: &[u8],
    request: &RequestMac,
    key: &Key,
    time: u64,
    fudge: u16,
    error: Option<TsigRcode>,
    other: &[u8],
) -> Result<Vec<u8>, TsigError> {
    check_signable(response, time)?;
    // The digest covers the original ID; the header keeps the ID the response is sent with.
    let mut digested = response.to_vec();
    wire::set_header_u16(&mut digested, 0, request.original_id).map_err(|_| too_short(response))?;
    let prior = match error {
        Some(TsigRcode::BadSig | TsigRcode::BadKey) => Prior::Unsigned,
        _ => Prior::Response(&request.mac),
    };
    let tsig = Tsig {
        original_id: request.original_id,
        time,
        fudge,
        error: error.map_or(0, TsigRcode::code),
        other,
    };
    append_tsig(response, &digested, prior, key, &tsig).map(|(signed, _)| signed)
}

fn too_short(message: &[u8]) -> TsigError {
    TsigError::MessageTooShort { len: message.len() }
}

/// Validate what both signing directions need; return the message ID.
fn check_signable(message: &[u8], time: u64) -> Result<u16, TsigError> {
    if time > MAX_TIME {
        return Err(TsigError::TimeOutOfRange(time));
    }
    if message.len() < HEADER_LEN {
        return Err(too_short(message));
    }
    wire::header_u16(message, 0).map_err(|_| too_short(message))
}

/// What precedes the message in the digest.
enum Prior<'a> {
    /// A request: nothing.
    Request,
    /// A response: the request MAC.
    Response(&'a [u8]),
    /// A response the server cannot sign: no digest, empty MAC.
    Unsigned,
}

/// The TSIG RDATA fields other than the names and the MAC.
struct Tsig<'a> {
    original_id: u16,
    time: u64,
    fudge: u16,
    error: u16,
    other: &'a [u8],
}

/// Append a TSIG RR to `message`, with the MAC computed over `digested` (the message as the
/// digest sees it, that is with the original ID). Returns the signed message and the MAC sent.
fn append_tsig(
    message: &[u8],
    digested: &[u8],
    prior: Prior<'_>,
    key: &Key,
    tsig: &Tsig<'_>,
) -> Result<(Vec<u8>, Vec<u8>), TsigError> {
    let arcount = wire::header_u16(message, ARCOUNT_OFFSET).map_err(|_| too_short(message))?;
    let arcount = arcount.checked_add(1).ok_or(TsigError::TooManyRecords)?;
    let owner = key.name_wire();
    let algorithm = key.algorithm().wire_bytes();
    let vars = Variables {
        owner: &owner,
        algorithm: &algorithm,
        time_signed: tsig.time,
        fudge: tsig.fudge,
        error: tsig.error,
        other: tsig.other,
    };
    let mut mac = match prior {
        Prior::Request => compute_mac(key, None, digested, &vars),
        Prior::Response(request_mac) => compute_mac(key, Some(request_mac), digested, &vars),
        Prior::Unsigned => Vec::new(),
    };
    mac.truncate(key.mac_len());
    let mut signed = Vec::with_capacity(message.len() + 64 + mac.len());
    signed.extend_from_slice(message);
    wire::set_header_u16(&mut signed, ARCOUNT_OFFSET, arcount).map_err(|_| too_short(message))?;
    let fields = TsigFields {
        owner: &owner,
        algorithm: &algorithm,
        time_signed: tsig.time,
        fudge: tsig.fudge,
        mac: &mac,
        original_id: tsig.original_id,
        error: tsig.error,
        other: tsig.other,
    };
    let too_long = TsigError::MessageTooLong {
        len: signed.len() + owner.len() + algorithm.len() + 26 + mac.len() + tsig.other.len(),
    };
    fields.write(&mut signed).map_err(|_| too_long.clone())?;
    if signed.len() > usize::from(u16::MAX) {
        return Err(too_long);
    }
    Ok((signed, mac))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsig::Algorithm;
    use crate::tsig::testutil::*;

    #[test]
    fn known_answer_hmac_sha256_wire() {
        let key = kat_key(Algorithm::HmacSha256);
        let (signed, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        #[rustfmt::skip]
        let tsig: &[u8] = &[
            0x0a, b'd', b'n', b's', b'u', b'p', b'-', b't', b'e', b's', b't',
            0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, // owner dnsup-test.example., lower case
            0x00, 0xfa,                         // type TSIG (250)
            0x00, 0xff,                         // class ANY
            0x00, 0x00, 0x00, 0x00,             // TTL 0
            0x00, 0x3d,                         // RDLENGTH 61
            0x0b, b'h', b'm', b'a', b'c', b'-', b's', b'h', b'a', b'2', b'5', b'6', 0x00, // algorithm hmac-sha256.
            0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, // time signed 1700000000
            0x01, 0x2c,                         // fudge 300
            0x00, 0x20,                         // MAC size 32
            0x78, 0x6b, 0x30, 0xef, 0x59, 0x23, 0xf4, 0x0e, 0x17, 0x50, 0x4b, 0xa0, 0x17, 0x53, 0x63, 0x66,
            0x45, 0xec, 0x7c, 0x22, 0x2a, 0x03, 0x55, 0xe2, 0x01, 0xb1, 0xa5, 0xbc, 0x26, 0x04, 0xf5, 0x53, // MAC
            0x2a, 0x5b,                         // original ID
            0x00, 0x00,                         // error NOERROR
            0x00, 0x00,                         // other len 0
        ];
        assert_eq!(&signed[..10], &REQUEST[..10]);
        assert_eq!(&signed[10..12], &[0x00, 0x01], "ARCOUNT counts the TSIG RR");
        assert_eq!(&signed[12..REQUEST.len()], &REQUEST[12..]);
        assert_eq!(&signed[REQUEST.len()..], tsig);
        assert_eq!(request.mac(), &tsig[53..85]);
        assert_eq!(request.original_id(), 0x2a5b);
        assert_eq!(request.key_name().to_ascii(), "dnsup-test.example.");
    }

    #[test]
    fn known_answers_every_algorithm() {
        for (algorithm, request_mac, _) in KAT_MACS {
            let key = kat_key(algorithm);
            let (signed, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
            assert_eq!(request.mac(), hex(request_mac), "{algorithm}");
            assert_eq!(
                signed,
                with_tsig(REQUEST, algorithm, KAT_TIME, &hex(request_mac)),
                "{algorithm}"
            );
            assert_eq!(request.algorithm(), algorithm);
        }
    }

    #[test]
    fn truncated_key_sends_a_prefix() {
        let full = kat_key(Algorithm::HmacSha256);
        let truncated = Key::new(
            name("dnsup-test.example."),
            Algorithm::HmacSha256,
            b"dnsup tsig test key hmac-sha256".to_vec(),
            Some(128),
        )
        .unwrap();
        let (_, full_mac) = sign_request(REQUEST, &full, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let (signed, mac) = sign_request(REQUEST, &truncated, KAT_TIME, DEFAULT_FUDGE).unwrap();
        assert_eq!(mac.mac().len(), 16);
        assert_eq!(mac.mac(), &full_mac.mac()[..16]);
        // The wire algorithm stays hmac-sha256; only the MAC size says 16.
        assert_eq!(
            signed,
            with_tsig(REQUEST, Algorithm::HmacSha256, KAT_TIME, mac.mac())
        );
    }

    #[test]
    fn unsignable_messages() {
        let key = kat_key(Algorithm::HmacSha1);
        assert_eq!(
            sign_request(&REQUEST[..11], &key, KAT_TIME, 300).unwrap_err(),
            TsigError::MessageTooShort { len: 11 }
        );
        assert_eq!(
            sign_request(REQUEST, &key, 1 << 48, 300).unwrap_err(),
            TsigError::TimeOutOfRange(1 << 48)
        );
        assert!(sign_request(REQUEST, &key, (1 << 48) - 1, 300).is_ok());
        let mut full = REQUEST.to_vec();
        full[10..12].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(
            sign_request(&full, &key, KAT_TIME, 300).unwrap_err(),
            TsigError::TooManyRecords
        );
        let mut big = REQUEST.to_vec();
        big.resize(65_500, 0);
        assert!(matches!(
            sign_request(&big, &key, KAT_TIME, 300).unwrap_err(),
            TsigError::MessageTooLong { len } if len > 65_535
        ));
    }

    #[test]
    fn tsig_rcodes() {
        let all = [
            (TsigRcode::BadSig, 16, "BADSIG"),
            (TsigRcode::BadKey, 17, "BADKEY"),
            (TsigRcode::BadTime, 18, "BADTIME"),
            (TsigRcode::BadMode, 19, "BADMODE"),
            (TsigRcode::BadName, 20, "BADNAME"),
            (TsigRcode::BadAlg, 21, "BADALG"),
            (TsigRcode::BadTrunc, 22, "BADTRUNC"),
            (TsigRcode::Other(5), 5, "TSIG error 5"),
        ];
        for (rcode, code, text) in all {
            assert_eq!(rcode.code(), code);
            assert_eq!(TsigRcode::from_code(code), Some(rcode));
            assert_eq!(rcode.to_string(), text);
        }
        assert_eq!(TsigRcode::from_code(0), None);
    }

    #[test]
    fn server_side_signing() {
        for (algorithm, request_mac, response_mac) in KAT_MACS {
            let key = kat_key(algorithm);
            let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
            assert_eq!(request.mac(), hex(request_mac));
            let signed = sign_response(
                RESPONSE,
                &request,
                &key,
                KAT_RESPONSE_TIME,
                DEFAULT_FUDGE,
                None,
                &[],
            )
            .unwrap();
            assert_eq!(
                signed,
                with_tsig(RESPONSE, algorithm, KAT_RESPONSE_TIME, &hex(response_mac))
            );
        }
        // BADKEY and BADSIG answers go out unsigned (RFC 8945 section 5.3.2).
        let key = kat_key(Algorithm::HmacSha256);
        let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let signed = sign_response(
            RESPONSE,
            &request,
            &key,
            KAT_TIME,
            300,
            Some(TsigRcode::BadKey),
            &[],
        )
        .unwrap();
        #[rustfmt::skip]
        let tail: &[u8] = &[
            0x00, 0x00, // MAC size 0
            0x2a, 0x5b, // original ID
            0x00, 0x11, // error BADKEY
            0x00, 0x00, // other len 0
        ];
        assert_eq!(&signed[signed.len() - tail.len()..], tail);
    }
}
