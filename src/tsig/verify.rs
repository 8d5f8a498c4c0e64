//! Verifying a signed answer (RFC 8945 section 5.3.1, with the checks of sections 5.2.1-5.2.4
//! applied in the RFC's order: key, MAC length, MAC, time, truncation).
//!
//! A client must not trust an answer to a signed request unless it verifies: an unsigned or
//! badly signed answer may be spoofed, and the caller should keep waiting for the genuine one.

use subtle::ConstantTimeEq as _;

use super::algorithm::Algorithm;
use super::key::Key;
use super::sign::{RequestMac, TsigRcode, Variables, compute_mac};
use super::wire::{self, ARCOUNT_OFFSET, Found, WireError};

/// A verified answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The response with the TSIG RR removed, ARCOUNT decremented and the ID set to the TSIG
    /// original ID: ready for hickory's `Message::from_vec`.
    pub message: Vec<u8>,
    /// false only for an unsigned BADSIG/BADKEY answer (empty MAC), which RFC 8945 section 5.3.2
    /// lets a server send when it cannot sign. Nothing in such an answer is authenticated.
    pub signed: bool,
    /// The TSIG error the server reported about our request, if any.
    pub server_error: Option<TsigRcode>,
    /// Time signed in the answer; for BADTIME the server's clock from the 6-byte Other Data
    /// (RFC 8945 section 5.2.3) if present, else time signed.
    pub server_time: u64,
}

/// Why an answer was rejected. None of these is a DNS outcome: each means the answer cannot be
/// trusted. Messages contain no secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The answer to a signed request carries no TSIG record. Servers sign every answer to a
    /// signed request, so this may be spoofed: keep waiting for the genuine answer.
    #[error("the answer carries no TSIG signature (possibly spoofed)")]
    NoTsig,
    /// A TSIG record is present but is not the last additional record (RFC 8945 section 5.1).
    #[error("the answer's TSIG record is not the last record of the message")]
    NotLast,
    /// The answer or its TSIG record cannot be parsed.
    #[error("malformed signed answer: {0}")]
    Malformed(String),
    /// The answer is signed with another key name than the request.
    #[error("the answer is signed with a different key name than the request")]
    KeyMismatch,
    /// The answer is signed with another algorithm than the request (or an unknown one).
    #[error("the answer is signed with a different TSIG algorithm than the request")]
    AlgorithmMismatch,
    /// The MAC is longer than the HMAC output, or shorter than max(10 bytes, half of it)
    /// (RFC 8945 section 5.2.2.1).
    #[error("the answer's MAC has an invalid length of {len} bytes")]
    MacLength {
        /// The MAC length received.
        len: usize,
    },
    /// The MAC does not verify: a different secret, or the answer was altered in transit.
    #[error("the answer's MAC does not verify (wrong secret, or altered in transit)")]
    BadMac,
    /// The answer was signed outside the fudge window of our clock: one of the two clocks is
    /// wrong, or the answer is a replay.
    #[error(
        "the answer was signed at {server_time}, more than {fudge} s away from our clock ({now}); check both clocks"
    )]
    BadTime {
        /// Time signed in the answer (seconds since the epoch).
        server_time: u64,
        /// Our clock.
        now: u64,
        /// The fudge the answer allows.
        fudge: u16,
    },
    /// The MAC is truncated below our key's own MAC length (RFC 8945 section 5.2.4): we accept
    /// a shorter-than-full MAC only when it is at least as long as the one we send.
    #[error("the answer's MAC is truncated to {len} bytes, below our key's length")]
    BadTrunc {
        /// The MAC length received.
        len: usize,
    },
}

fn malformed(e: WireError) -> VerifyError {
    VerifyError::Malformed(e.0.to_string())
}

/// Verify an answer to a request signed with `key`, at our time `now` (seconds since the epoch).
///
/// The checks run in the order of RFC 8945 section 5.3.1: key name and algorithm equal the
/// request's; MAC length; the MAC itself, over `u16 length || request MAC`, the answer without
/// its TSIG RR (ARCOUNT - 1, ID = original ID) and the TSIG variables; then the time (skipped
/// when the server reports BADTIME: that is returned in [`Verified::server_error`] and
/// [`Verified::server_time`]); then truncation.
///
/// An answer whose TSIG has an empty MAC and error BADSIG or BADKEY is accepted as
/// `Verified { signed: false, .. }`.
pub fn verify_response(
    response: &[u8],
    request: &RequestMac,
    key: &Key,
    now: u64,
) -> Result<Verified, VerifyError> {
    let tsig = match wire::find_tsig(response).map_err(malformed)? {
        Found::None => return Err(VerifyError::NoTsig),
        Found::NotLast => return Err(VerifyError::NotLast),
        Found::Last(tsig) => tsig,
    };
    if tsig.owner != wire::canonical_name_bytes(&request.key_name)
        || *key.name() != request.key_name
    {
        return Err(VerifyError::KeyMismatch);
    }
    let algorithm = key.algorithm();
    if Algorithm::from_wire_bytes(&tsig.algorithm) != Some(algorithm)
        || request.algorithm != algorithm
    {
        return Err(VerifyError::AlgorithmMismatch);
    }

    let mut message = response
        .get(..tsig.start)
        .ok_or(WireError("TSIG record outside the message"))
        .map_err(malformed)?
        .to_vec();
    let arcount = wire::header_u16(&message, ARCOUNT_OFFSET).map_err(malformed)?;
    // find_tsig only reports a TSIG RR found in the additional section, so ARCOUNT >= 1.
    wire::set_header_u16(&mut message, ARCOUNT_OFFSET, arcount.saturating_sub(1))
        .map_err(malformed)?;
    wire::set_header_u16(&mut message, 0, tsig.original_id).map_err(malformed)?;

    let server_error = TsigRcode::from_code(tsig.error);
    let server_time = match (server_error, tsig.other.len()) {
        (Some(TsigRcode::BadTime), 6) => wire::read_u48(tsig.other),
        _ => tsig.time_signed,
    };
    if tsig.mac.is_empty() && matches!(server_error, Some(TsigRcode::BadSig | TsigRcode::BadKey)) {
        return Ok(Verified {
            message,
            signed: false,
            server_error,
            server_time,
        });
    }

    let len = tsig.mac.len();
    if len > algorithm.full_len() || len < algorithm.min_len() {
        return Err(VerifyError::MacLength { len });
    }
    let vars = Variables {
        owner: &tsig.owner,
        algorithm: &tsig.algorithm,
        time_signed: tsig.time_signed,
        fudge: tsig.fudge,
        error: tsig.error,
        other: tsig.other,
    };
    let expected = compute_mac(key, Some(&request.mac), &message, &vars);
    let matches = expected
        .get(..len)
        .is_some_and(|prefix| bool::from(prefix.ct_eq(tsig.mac)));
    if !matches {
        return Err(VerifyError::BadMac);
    }

    if server_error != Some(TsigRcode::BadTime)
        && now.abs_diff(tsig.time_signed) > u64::from(tsig.fudge)
    {
        return Err(VerifyError::BadTime {
            server_time: tsig.time_signed,
            now,
            fudge: tsig.fudge,
        });
    }
    if len < algorithm.full_len() && len < key.mac_len() {
        return Err(VerifyError::BadTrunc { len });
    }
    Ok(Verified {
        message,
        signed: true,
        server_error,
        server_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsig::sign::{DEFAULT_FUDGE, sign_request, sign_response};
    use crate::tsig::testutil::*;

    /// A request signed at KAT_TIME and the server's NOERROR answer signed one second later.
    fn exchange(key: &Key) -> (RequestMac, Vec<u8>) {
        let (_, request) = sign_request(REQUEST, key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let response = sign_response(
            RESPONSE,
            &request,
            key,
            KAT_RESPONSE_TIME,
            DEFAULT_FUDGE,
            None,
            &[],
        )
        .unwrap();
        (request, response)
    }

    fn sha256() -> Key {
        kat_key(Algorithm::HmacSha256)
    }

    #[test]
    fn known_answer_responses() {
        for (algorithm, _, response_mac) in KAT_MACS {
            let key = kat_key(algorithm);
            let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
            let response = with_tsig(RESPONSE, algorithm, KAT_RESPONSE_TIME, &hex(response_mac));
            let v = verify_response(&response, &request, &key, KAT_TIME).unwrap();
            assert_eq!(
                v,
                Verified {
                    message: RESPONSE.to_vec(),
                    signed: true,
                    server_error: None,
                    server_time: KAT_RESPONSE_TIME,
                },
                "{algorithm}"
            );
        }
    }

    #[test]
    fn round_trip_every_algorithm_and_truncation() {
        for algorithm in Algorithm::ALL {
            let min_bits = (algorithm.min_len() * 8) as u16;
            for bits in [None, Some(min_bits)] {
                let key = Key::new(name("rt.example"), algorithm, vec![0x42; 20], bits).unwrap();
                let (request, response) = exchange(&key);
                assert_eq!(request.mac().len(), key.mac_len());
                let v =
                    verify_response(&response, &request, &key, KAT_RESPONSE_TIME + 299).unwrap();
                assert!(v.signed);
                assert_eq!(v.message, RESPONSE);
            }
        }
    }

    #[test]
    fn wrong_secret_is_bad_mac() {
        let (request, response) = exchange(&sha256());
        let other = Key::new(
            sha256().name().clone(),
            Algorithm::HmacSha256,
            vec![1; 32],
            None,
        )
        .unwrap();
        assert_eq!(
            verify_response(&response, &request, &other, KAT_TIME),
            Err(VerifyError::BadMac)
        );
    }

    #[test]
    fn unsigned_answer_is_rejected() {
        let (request, _) = exchange(&sha256());
        assert_eq!(
            verify_response(RESPONSE, &request, &sha256(), KAT_TIME),
            Err(VerifyError::NoTsig)
        );
    }

    #[test]
    fn any_changed_byte_is_detected() {
        let key = sha256();
        let (request, response) = exchange(&key);
        for i in 0..response.len() {
            let mut tampered = response.clone();
            tampered[i] ^= 0x01;
            let result = verify_response(&tampered, &request, &key, KAT_TIME);
            // Not covered, by design: the header ID (the original ID is) and the TSIG TTL
            // (digested as 0, RFC 8945 section 4.3.3).
            let ttl = RESPONSE.len() + 24..RESPONSE.len() + 28;
            if i > 1 && !ttl.contains(&i) {
                assert!(result.is_err(), "byte {i} changed unnoticed");
            }
        }
        // The header ID is not covered (the original ID is); the message gets the original back.
        let mut other_id = response.clone();
        other_id[1] ^= 0x01;
        assert_eq!(
            verify_response(&other_id, &request, &key, KAT_TIME)
                .unwrap()
                .message,
            RESPONSE
        );
    }

    #[test]
    fn tampered_answer_section_is_bad_mac() {
        let key = sha256();
        let (request, mut response) = exchange(&key);
        response[3] = 0x05; // RCODE NOERROR -> REFUSED
        assert_eq!(
            verify_response(&response, &request, &key, KAT_TIME),
            Err(VerifyError::BadMac)
        );
    }

    #[test]
    fn badtime_answer_reports_the_server_clock() {
        let key = sha256();
        let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let server_clock = KAT_TIME + 7200;
        let other = &server_clock.to_be_bytes()[2..];
        let response = sign_response(
            RESPONSE,
            &request,
            &key,
            KAT_TIME,
            DEFAULT_FUDGE,
            Some(TsigRcode::BadTime),
            other,
        )
        .unwrap();
        let v = verify_response(&response, &request, &key, KAT_TIME).unwrap();
        assert_eq!(
            (v.signed, v.server_error, v.server_time),
            (true, Some(TsigRcode::BadTime), server_clock)
        );
        // The time check is skipped for BADTIME: our clock is the problem being reported.
        assert!(verify_response(&response, &request, &key, KAT_TIME + 100_000).is_ok());
        // Without Other Data, the time signed is all there is.
        let response = sign_response(
            RESPONSE,
            &request,
            &key,
            KAT_TIME + 5,
            300,
            Some(TsigRcode::BadTime),
            &[],
        )
        .unwrap();
        assert_eq!(
            verify_response(&response, &request, &key, KAT_TIME)
                .unwrap()
                .server_time,
            KAT_TIME + 5
        );
    }

    #[test]
    fn answer_outside_our_fudge_window_is_bad_time() {
        let key = sha256();
        let (request, response) = exchange(&key);
        assert!(verify_response(&response, &request, &key, KAT_RESPONSE_TIME + 300).is_ok());
        assert!(verify_response(&response, &request, &key, KAT_RESPONSE_TIME - 300).is_ok());
        let late = KAT_RESPONSE_TIME + 301;
        assert_eq!(
            verify_response(&response, &request, &key, late),
            Err(VerifyError::BadTime {
                server_time: KAT_RESPONSE_TIME,
                now: late,
                fudge: 300
            })
        );
        assert!(verify_response(&response, &request, &key, 0).is_err());
        assert!(verify_response(&response, &request, &key, u64::MAX).is_err());
    }

    #[test]
    fn unsigned_badsig_and_badkey_answers() {
        let key = sha256();
        let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        for error in [TsigRcode::BadSig, TsigRcode::BadKey] {
            let response =
                sign_response(RESPONSE, &request, &key, KAT_TIME, 300, Some(error), &[]).unwrap();
            let v = verify_response(&response, &request, &key, KAT_TIME + 100_000).unwrap();
            assert_eq!((v.signed, v.server_error), (false, Some(error)));
            assert_eq!(v.message, RESPONSE);
        }
    }

    /// The known-answer response carrying `mac` and `error` in place of the real ones.
    fn response_with(mac: &[u8], error: u16) -> Vec<u8> {
        let mut response = with_tsig(RESPONSE, Algorithm::HmacSha256, KAT_RESPONSE_TIME, mac);
        let at = response.len() - 4;
        response[at..at + 2].copy_from_slice(&error.to_be_bytes());
        response
    }

    #[test]
    fn mac_length_limits() {
        let key = sha256();
        let (request, _) = exchange(&key);
        for len in [0, 1, 10, 15, 33, 64, 200] {
            assert_eq!(
                verify_response(&response_with(&vec![0; len], 0), &request, &key, KAT_TIME),
                Err(VerifyError::MacLength { len })
            );
        }
        // An empty MAC is only acceptable with BADSIG or BADKEY.
        assert_eq!(
            verify_response(&response_with(&[], 18), &request, &key, KAT_TIME),
            Err(VerifyError::MacLength { len: 0 })
        );
        assert_eq!(
            verify_response(&response_with(&[0; 16], 0), &request, &key, KAT_TIME),
            Err(VerifyError::BadMac)
        );
    }

    #[test]
    fn truncation_policy() {
        let full_mac = hex(KAT_MACS[3].2);
        let key = sha256();
        let (request, _) = exchange(&key);
        // A valid 16-byte prefix: our full-length key refuses it after checking the MAC.
        let response = response_with(&full_mac[..16], 0);
        assert_eq!(
            verify_response(&response, &request, &key, KAT_TIME),
            Err(VerifyError::BadTrunc { len: 16 })
        );
        let mut wrong = full_mac[..16].to_vec();
        wrong[15] ^= 1;
        assert_eq!(
            verify_response(&response_with(&wrong, 0), &request, &key, KAT_TIME),
            Err(VerifyError::BadMac)
        );
        // A key truncated to 128 bits accepts 16 bytes or more, not fewer.
        let truncated = Key::new(
            key.name().clone(),
            Algorithm::HmacSha256,
            b"dnsup tsig test key hmac-sha256".to_vec(),
            Some(192),
        )
        .unwrap();
        let (_, request) = sign_request(REQUEST, &truncated, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let signed = sign_response(
            RESPONSE,
            &request,
            &truncated,
            KAT_RESPONSE_TIME,
            300,
            None,
            &[],
        )
        .unwrap();
        assert!(verify_response(&signed, &request, &truncated, KAT_TIME).is_ok());
        let (_, mac) = sign_request(REQUEST, &truncated, KAT_TIME, DEFAULT_FUDGE).unwrap();
        assert_eq!(mac.mac().len(), 24);
    }

    #[test]
    fn key_and_algorithm_must_match_the_request() {
        let key = sha256();
        let (request, response) = exchange(&key);
        let renamed = Key::new(
            name("other.example"),
            Algorithm::HmacSha256,
            b"x".to_vec(),
            None,
        )
        .unwrap();
        let (_, other_request) = sign_request(REQUEST, &renamed, KAT_TIME, 300).unwrap();
        assert_eq!(
            verify_response(&response, &other_request, &renamed, KAT_TIME),
            Err(VerifyError::KeyMismatch)
        );
        assert_eq!(
            verify_response(&response, &request, &renamed, KAT_TIME),
            Err(VerifyError::KeyMismatch)
        );
        let sha512 = kat_key(Algorithm::HmacSha512);
        let (_, sha512_request) = sign_request(REQUEST, &sha512, KAT_TIME, 300).unwrap();
        assert_eq!(
            verify_response(&response, &sha512_request, &sha512, KAT_TIME),
            Err(VerifyError::AlgorithmMismatch)
        );
        // An algorithm we do not know at all (hmac-sha25x.).
        let mut unknown = response.clone();
        let at = RESPONSE.len() + 30 + 11;
        assert_eq!(unknown[at], b'6');
        unknown[at] = b'x';
        assert_eq!(
            verify_response(&unknown, &request, &key, KAT_TIME),
            Err(VerifyError::AlgorithmMismatch)
        );
    }

    #[test]
    fn tsig_must_be_last() {
        let key = sha256();
        let (request, response) = exchange(&key);
        let mut extra = response.clone();
        extra[11] += 1;
        extra.extend_from_slice(&[0x00, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x00]); // ". A IN", empty
        assert_eq!(
            verify_response(&extra, &request, &key, KAT_TIME),
            Err(VerifyError::NotLast)
        );
        // The same RR counted in the answer section instead of the additional section.
        let mut answer = response.clone();
        answer[7] = 1;
        answer[11] = 0;
        assert_eq!(
            verify_response(&answer, &request, &key, KAT_TIME),
            Err(VerifyError::NotLast)
        );
    }

    #[test]
    fn malformed_answers() {
        let key = sha256();
        let (request, response) = exchange(&key);
        let check = |bytes: &[u8], what: &str| {
            assert_eq!(
                verify_response(bytes, &request, &key, KAT_TIME),
                Err(VerifyError::Malformed(what.to_string()))
            );
        };
        let mut trailing = response.clone();
        trailing.push(0);
        check(&trailing, "trailing bytes after the last record");
        check(&response[..response.len() - 1], "message truncated");
        check(&response[..5], "message shorter than a DNS header");
        let mut class = response.clone();
        class[RESPONSE.len() + 23] = 0x01; // class ANY -> IN
        check(&class, "TSIG record class is not ANY");
        let mut rdlength = response.clone();
        rdlength[RESPONSE.len() + 29] += 1;
        rdlength.push(0);
        check(&rdlength, "TSIG RDLENGTH does not match its contents");
    }

    #[test]
    fn compressed_mixed_case_tsig_names_are_accepted() {
        // Owner k.example.test. compressed against the zone name, algorithm hmac-sha256.
        // compressed against an earlier record's owner: the digest still uses canonical forms.
        let key = Key::new(
            name("k.example.test"),
            Algorithm::HmacSha256,
            vec![9; 32],
            None,
        )
        .unwrap();
        let (_, request) = sign_request(REQUEST, &key, KAT_TIME, DEFAULT_FUDGE).unwrap();
        let mut message = RESPONSE.to_vec();
        message[11] = 1;
        let alg_at = message.len();
        #[rustfmt::skip]
        message.extend_from_slice(&[
            0x0b, b'h', b'm', b'a', b'c', b'-', b's', b'h', b'a', b'2', b'5', b'6', 0x00, // owner
            0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x00, // TXT IN, TTL 0, no RDATA
        ]);
        let signed = sign_response(&message, &request, &key, KAT_TIME, 300, None, &[]).unwrap();
        let Ok(Found::Last(tsig)) = wire::find_tsig(&signed) else {
            panic!()
        };
        let mut compressed = signed[..tsig.start].to_vec();
        #[rustfmt::skip]
        compressed.extend_from_slice(&[
            0x01, b'K', 0xc0, 0x0c, // owner "K" + pointer to example.test.
            0x00, 0xfa, 0x00, 0xff, 0, 0, 0, 0, // TSIG ANY, TTL 0
            0x00, (2 + 16 + 32) as u8, // RDLENGTH
            0xc0, alg_at as u8, // algorithm: pointer to hmac-sha256.
        ]);
        compressed.extend_from_slice(&signed[signed.len() - (16 + 32)..]);
        let v = verify_response(&compressed, &request, &key, KAT_TIME).unwrap();
        assert_eq!(v.message, message);
    }

    /// xorshift64: a deterministic stream for the robustness tests.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn no_input_panics() {
        let key = sha256();
        let (request, response) = exchange(&key);
        for len in 0..=response.len() {
            let result = verify_response(&response[..len], &request, &key, KAT_TIME);
            assert_eq!(result.is_ok(), len == response.len());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut bytes = response.clone();
            for _ in 0..1 + next(&mut state) % 4 {
                let at = (next(&mut state) % bytes.len() as u64) as usize;
                bytes[at] = next(&mut state) as u8;
            }
            let cut = bytes.len() - (next(&mut state) % 8) as usize;
            let _ = verify_response(&bytes[..cut], &request, &key, KAT_TIME);
        }
        for _ in 0..5_000 {
            let len = (next(&mut state) % 120) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
            let _ = verify_response(&bytes, &request, &key, KAT_TIME);
        }
    }
}
