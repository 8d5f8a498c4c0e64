//! The six TSIG HMAC algorithms BIND 9 and Knot accept (RFC 8945 section 6), their names on the
//! wire and in configuration files, and the HMAC computation itself.
//!
//! ring provides HMAC-SHA1/256/384/512; it has no MD5 or SHA-224, so those two come from the
//! RustCrypto `hmac`, `md-5` and `sha2` crates.

use std::fmt;

use hickory_proto::rr::Name;
use hmac::Mac;

use super::key::KeyError;

/// A TSIG HMAC algorithm (RFC 8945 section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `hmac-md5.sig-alg.reg.int.`: the historical default of `nsupdate -y` and BIND `key` blocks.
    HmacMd5,
    /// `hmac-sha1.`
    HmacSha1,
    /// `hmac-sha224.`
    HmacSha224,
    /// `hmac-sha256.`: the default of `tsig-keygen`, `ddns-confgen` and `knsupdate`.
    HmacSha256,
    /// `hmac-sha384.`
    HmacSha384,
    /// `hmac-sha512.`
    HmacSha512,
}

impl Algorithm {
    /// Every algorithm, weakest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::HmacMd5,
        Algorithm::HmacSha1,
        Algorithm::HmacSha224,
        Algorithm::HmacSha256,
        Algorithm::HmacSha384,
        Algorithm::HmacSha512,
    ];

    /// The algorithm name as it appears in the TSIG RDATA, in text form (fully qualified).
    fn wire_str(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "hmac-md5.sig-alg.reg.int.",
            Algorithm::HmacSha1 => "hmac-sha1.",
            Algorithm::HmacSha224 => "hmac-sha224.",
            Algorithm::HmacSha256 => "hmac-sha256.",
            Algorithm::HmacSha384 => "hmac-sha384.",
            Algorithm::HmacSha512 => "hmac-sha512.",
        }
    }

    /// The algorithm name carried in the TSIG RDATA (`hmac-md5.sig-alg.reg.int.`, `hmac-sha256.`, ...).
    pub fn wire_name(self) -> Name {
        // The strings are constants that are valid names; the fallback is unreachable in practice
        // and keeps this function free of panics.
        Name::from_ascii(self.wire_str()).unwrap_or_else(|_| Name::root())
    }

    /// The algorithm name in canonical DNS wire form (lower case, uncompressed), as digested.
    pub(crate) fn wire_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        for label in self.wire_str().trim_end_matches('.').split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
        out
    }

    /// The full HMAC output length in bytes.
    pub fn full_len(self) -> usize {
        match self {
            Algorithm::HmacMd5 => 16,
            Algorithm::HmacSha1 => 20,
            Algorithm::HmacSha224 => 28,
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha384 => 48,
            Algorithm::HmacSha512 => 64,
        }
    }

    /// The shortest MAC RFC 8945 section 5.2.2.1 allows: 10 bytes or half the full length.
    pub fn min_len(self) -> usize {
        (self.full_len() / 2).max(10)
    }

    /// The name used in BIND and Knot configuration files (`hmac-md5`, `hmac-sha256`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "hmac-md5",
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha224 => "hmac-sha224",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha384 => "hmac-sha384",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    /// The algorithm number BIND uses in `K<name>.+<number>+<id>` file names and `.private` files.
    pub fn bind_number(self) -> u8 {
        match self {
            Algorithm::HmacMd5 => 157,
            Algorithm::HmacSha1 => 161,
            Algorithm::HmacSha224 => 162,
            Algorithm::HmacSha256 => 163,
            Algorithm::HmacSha384 => 164,
            Algorithm::HmacSha512 => 165,
        }
    }

    /// The inverse of [`Algorithm::bind_number`].
    pub fn from_bind_number(number: u16) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| u16::from(a.bind_number()) == number)
    }

    /// Parse a configuration-file algorithm name, case-insensitively: `hmac-sha256`,
    /// `hmac-md5.sig-alg.reg.int`, or BIND's truncated form `hmac-sha256-128` whose suffix is the
    /// MAC length in bits (returned as `Some(128)`; [`Key::new`](super::Key::new) checks its range).
    pub fn parse(s: &str) -> Result<(Algorithm, Option<u16>), KeyError> {
        let lower = s.trim().trim_end_matches('.').to_ascii_lowercase();
        let (base, bits) = match lower.rsplit_once('-') {
            Some((base, digits))
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
            {
                match digits.parse::<u16>() {
                    Ok(bits) => (base, Some(bits)),
                    Err(_) => return Err(KeyError::unknown_algorithm(s)),
                }
            }
            _ => (lower.as_str(), None),
        };
        let algorithm = Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == base || a.wire_str().trim_end_matches('.') == base)
            .ok_or_else(|| KeyError::unknown_algorithm(s))?;
        Ok((algorithm, bits))
    }

    /// The algorithm a TSIG RDATA algorithm name denotes (case-insensitive), if it is one of ours.
    pub fn from_wire_name(n: &Name) -> Option<Algorithm> {
        let text = n.to_ascii().to_ascii_lowercase();
        let text = text.trim_end_matches('.');
        Algorithm::ALL
            .into_iter()
            .find(|a| a.wire_str().trim_end_matches('.') == text)
    }

    /// The algorithm whose canonical wire-form name is `bytes` (already lower-cased).
    pub(crate) fn from_wire_bytes(bytes: &[u8]) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.wire_bytes() == bytes)
    }

    /// Start an HMAC computation with `secret`.
    pub(crate) fn hmac(self, secret: &[u8]) -> HmacContext {
        let ring_alg = match self {
            Algorithm::HmacMd5 => {
                return HmacContext::Md5(
                    hmac::Hmac::<md5::Md5>::new_from_slice(secret)
                        .unwrap_or_else(|_| unreachable_hmac()),
                );
            }
            Algorithm::HmacSha224 => {
                return HmacContext::Sha224(
                    hmac::Hmac::<sha2::Sha224>::new_from_slice(secret)
                        .unwrap_or_else(|_| unreachable_hmac()),
                );
            }
            Algorithm::HmacSha1 => ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Algorithm::HmacSha256 => ring::hmac::HMAC_SHA256,
            Algorithm::HmacSha384 => ring::hmac::HMAC_SHA384,
            Algorithm::HmacSha512 => ring::hmac::HMAC_SHA512,
        };
        HmacContext::Ring(ring::hmac::Context::with_key(&ring::hmac::Key::new(
            ring_alg, secret,
        )))
    }
}

/// HMAC accepts keys of any length (RFC 2104), so `new_from_slice` cannot fail for it.
fn unreachable_hmac<T>() -> T {
    unreachable!("HMAC accepts keys of any length")
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An HMAC being computed incrementally, so the digest never has to be assembled in one buffer.
pub(crate) enum HmacContext {
    Ring(ring::hmac::Context),
    Md5(hmac::Hmac<md5::Md5>),
    Sha224(hmac::Hmac<sha2::Sha224>),
}

impl HmacContext {
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            HmacContext::Ring(ctx) => ctx.update(data),
            HmacContext::Md5(mac) => mac.update(data),
            HmacContext::Sha224(mac) => mac.update(data),
        }
    }

    /// The full-length MAC.
    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            HmacContext::Ring(ctx) => ctx.sign().as_ref().to_vec(),
            HmacContext::Md5(mac) => mac.finalize().into_bytes().to_vec(),
            HmacContext::Sha224(mac) => mac.finalize().into_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::parse(a.name()).unwrap(), (a, None));
            assert_eq!(Algorithm::from_wire_name(&a.wire_name()), Some(a));
            assert_eq!(Algorithm::from_wire_bytes(&a.wire_bytes()), Some(a));
            assert_eq!(
                Algorithm::from_bind_number(u16::from(a.bind_number())),
                Some(a)
            );
            assert!(a.wire_name().is_fqdn());
        }
    }

    #[test]
    fn parse_variants() {
        use Algorithm::*;
        assert_eq!(Algorithm::parse("HMAC-SHA256").unwrap(), (HmacSha256, None));
        assert_eq!(
            Algorithm::parse("hmac-md5.sig-alg.reg.int").unwrap(),
            (HmacMd5, None)
        );
        assert_eq!(
            Algorithm::parse("HMAC-MD5.SIG-ALG.REG.INT.").unwrap(),
            (HmacMd5, None)
        );
        assert_eq!(
            Algorithm::parse("hmac-sha256-128").unwrap(),
            (HmacSha256, Some(128))
        );
        assert_eq!(
            Algorithm::parse("hmac-md5-80").unwrap(),
            (HmacMd5, Some(80))
        );
        assert_eq!(
            Algorithm::parse("hmac-sha512.").unwrap(),
            (HmacSha512, None)
        );
        for bad in [
            "",
            "hmac",
            "hmac-sha3",
            "sha256",
            "hmac-sha256-",
            "hmac-sha256-99999",
        ] {
            assert!(Algorithm::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wire_bytes_are_length_prefixed_labels() {
        assert_eq!(
            Algorithm::HmacSha1.wire_bytes(),
            b"\x09hmac-sha1\x00".to_vec()
        );
        assert_eq!(
            Algorithm::HmacMd5.wire_bytes(),
            b"\x08hmac-md5\x07sig-alg\x03reg\x03int\x00".to_vec()
        );
    }

    #[test]
    fn hmac_lengths_match_full_len() {
        for a in Algorithm::ALL {
            let mut ctx = a.hmac(b"key");
            ctx.update(b"data");
            assert_eq!(ctx.finish().len(), a.full_len(), "{a}");
        }
    }

    #[test]
    fn rfc4231_test_case_2() {
        // RFC 4231 section 4.3 (HMAC-SHA-224/256) and RFC 2202 section 2 (HMAC-MD5/SHA-1):
        // key "Jefe", data "what do ya want for nothing?".
        let expect = [
            (Algorithm::HmacMd5, "750c783e6ab0b503eaa86e310a5db738"),
            (
                Algorithm::HmacSha1,
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                Algorithm::HmacSha224,
                "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            ),
            (
                Algorithm::HmacSha256,
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
        ];
        for (a, hex) in expect {
            let mut ctx = a.hmac(b"Jefe");
            ctx.update(b"what do ya ");
            ctx.update(b"want for nothing?");
            let got: String = ctx.finish().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(got, hex, "{a}");
        }
    }
}
