//! TSIG keys: a name, an algorithm, a secret and BIND's optional MAC truncation
//! (RFC 8945 sections 5.2.2.1 and 6).
//!
//! The secret lives in [`Secret`], which is wiped on drop and never printed, so a key can be
//! logged with `{:?}` safely.

use std::fmt;

use base64::Engine as _;
use hickory_proto::rr::Name;
use zeroize::Zeroize;

use super::algorithm::Algorithm;

/// Why a key could not be built. Messages never contain secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The algorithm name is none of the six HMACs (typo, or a DNSSEC algorithm such as RSA).
    /// The name is only repeated when it looks like an algorithm name, in case a secret was
    /// pasted in its place.
    #[error("unknown TSIG algorithm{}; expected hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512", .0.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default())]
    UnknownAlgorithm(Option<String>),
    /// BIND's truncated form (`hmac-sha256-128`) with a length that is not a whole number of
    /// bytes, longer than the HMAC, or shorter than max(80 bits, half the HMAC).
    #[error(
        "invalid truncation {bits} bits for {algorithm}: must be a multiple of 8 between {min} and {max}"
    )]
    BadTruncation {
        /// The algorithm being truncated.
        algorithm: Algorithm,
        /// The requested MAC length in bits.
        bits: u16,
        /// The shortest allowed length in bits.
        min: u16,
        /// The full HMAC length in bits.
        max: u16,
    },
    /// The secret is empty: the key file is incomplete.
    #[error("the secret is empty")]
    EmptySecret,
    /// The key name is the root name, which cannot name a key.
    #[error("the key name is empty")]
    EmptyName,
    /// The operating system's random number generator failed while generating a key.
    #[error("the system random number generator failed")]
    Random,
}

impl KeyError {
    pub(crate) fn unknown_algorithm(s: &str) -> KeyError {
        let s = s.trim();
        let looks_like_name = s.len() <= 40
            && s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("hmac-"))
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        KeyError::UnknownAlgorithm(looks_like_name.then(|| s.to_string()))
    }
}

/// Secret key bytes: zeroed when dropped; `Debug` and `Display` print `<redacted>`.
// No PartialEq: comparing secrets is not something callers need, and a derived one would not
// be constant-time.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wrap secret bytes.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// The secret length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Only the HMAC and the key-file writer may see the bytes.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A TSIG key.
#[derive(Clone, Debug)]
pub struct Key {
    name: Name,
    algorithm: Algorithm,
    secret: Secret,
    /// The MAC length sent, in bytes; equal to the full HMAC length unless truncated.
    mac_len: usize,
}

impl Key {
    /// Build a key. The name is made fully qualified and lower case (the digest uses the
    /// canonical form, RFC 8945 section 4.3.3). `truncate_bits` is BIND's `hmac-sha256-128`
    /// suffix: a multiple of 8, at most the HMAC length and at least max(80 bits, half of it).
    pub fn new(
        name: Name,
        algorithm: Algorithm,
        secret: Vec<u8>,
        truncate_bits: Option<u16>,
    ) -> Result<Key, KeyError> {
        let secret = Secret::new(secret);
        if name.is_root() {
            return Err(KeyError::EmptyName);
        }
        if secret.is_empty() {
            return Err(KeyError::EmptySecret);
        }
        let mut name = name.to_lowercase();
        name.set_fqdn(true);
        let max = (algorithm.full_len() * 8) as u16;
        let min = (algorithm.min_len() * 8) as u16;
        let mac_len = match truncate_bits {
            None => algorithm.full_len(),
            Some(bits) if bits % 8 == 0 && (min..=max).contains(&bits) => usize::from(bits / 8),
            Some(bits) => {
                return Err(KeyError::BadTruncation {
                    algorithm,
                    bits,
                    min,
                    max,
                });
            }
        };
        Ok(Key {
            name,
            algorithm,
            secret,
            mac_len,
        })
    }

    /// Generate a new key with a random secret as long as the HMAC output, like `tsig-keygen`.
    pub fn generate(name: Name, algorithm: Algorithm) -> Result<Key, KeyError> {
        use ring::rand::SecureRandom as _;
        let mut secret = vec![0; algorithm.full_len()];
        ring::rand::SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| KeyError::Random)?;
        Key::new(name, algorithm, secret, None)
    }

    /// The key name: fully qualified, lower case.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The HMAC algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of MAC bytes this key sends (the full HMAC length unless truncated).
    pub fn mac_len(&self) -> usize {
        self.mac_len
    }

    /// Whether this key sends truncated MACs.
    pub fn is_truncated(&self) -> bool {
        self.mac_len < self.algorithm.full_len()
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The key name in canonical wire form (lower case, uncompressed).
    pub(crate) fn name_wire(&self) -> Vec<u8> {
        super::wire::canonical_name_bytes(&self.name)
    }

    /// The key in `tsig-keygen`'s output format, for `dnsup keygen`.
    pub fn to_named_conf(&self) -> String {
        let name = self.name.to_ascii();
        let name = name.strip_suffix('.').unwrap_or(&name);
        let algorithm = if self.is_truncated() {
            format!("{}-{}", self.algorithm.name(), self.mac_len * 8)
        } else {
            self.algorithm.name().to_string()
        };
        let secret = base64::engine::general_purpose::STANDARD.encode(self.secret.expose());
        format!("key \"{name}\" {{\n\talgorithm {algorithm};\n\tsecret \"{secret}\";\n}};\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn name_is_fqdn_and_lower_case() {
        let key = Key::new(
            name("Ddns-Key.Example"),
            Algorithm::HmacSha256,
            vec![1],
            None,
        )
        .unwrap();
        assert_eq!(key.name().to_ascii(), "ddns-key.example.");
        assert!(key.name().is_fqdn());
        assert_eq!(key.name_wire(), b"\x08ddns-key\x07example\x00".to_vec());
    }

    #[test]
    fn truncation_rules() {
        let k = |alg, bits| Key::new(name("k"), alg, vec![1; 16], Some(bits));
        assert_eq!(k(Algorithm::HmacSha256, 128).unwrap().mac_len(), 16);
        assert!(k(Algorithm::HmacSha256, 128).unwrap().is_truncated());
        assert_eq!(k(Algorithm::HmacSha256, 256).unwrap().mac_len(), 32);
        assert!(!k(Algorithm::HmacSha256, 256).unwrap().is_truncated());
        assert_eq!(k(Algorithm::HmacMd5, 80).unwrap().mac_len(), 10);
        assert_eq!(k(Algorithm::HmacSha1, 80).unwrap().mac_len(), 10);
        assert!(k(Algorithm::HmacMd5, 72).is_err()); // below 80 bits
        assert!(k(Algorithm::HmacSha256, 120).is_err()); // below half
        assert!(k(Algorithm::HmacSha256, 130).is_err()); // not whole bytes
        assert!(k(Algorithm::HmacSha256, 264).is_err()); // longer than the HMAC
        assert_eq!(
            k(Algorithm::HmacSha512, 8).unwrap_err().to_string(),
            "invalid truncation 8 bits for hmac-sha512: must be a multiple of 8 between 256 and 512"
        );
    }

    #[test]
    fn empty_name_or_secret_rejected() {
        assert_eq!(
            Key::new(Name::root(), Algorithm::HmacSha256, vec![1], None).unwrap_err(),
            KeyError::EmptyName
        );
        assert_eq!(
            Key::new(name("k"), Algorithm::HmacSha256, vec![], None).unwrap_err(),
            KeyError::EmptySecret
        );
    }

    #[test]
    fn debug_is_redacted() {
        let key = Key::new(name("k."), Algorithm::HmacSha1, b"hunter2".to_vec(), None).unwrap();
        let dbg = format!("{key:?}");
        assert!(dbg.contains("<redacted>"), "{dbg}");
        assert!(!dbg.contains("104"), "{dbg}"); // 'h' as a decimal byte
        assert!(!dbg.contains("hunter2"));
        assert_eq!(format!("{}", key.secret()), "<redacted>");
    }

    #[test]
    fn named_conf_matches_tsig_keygen() {
        // `tsig-keygen -a hmac-sha384 foo` prints exactly this layout.
        let secret = base64::engine::general_purpose::STANDARD
            .decode("6JmbkO2rHVkNuChQBrR970Zr0+AHHcQeOo4mmKRE6NrUnv+DKE+bVWKQvPR7vYZV")
            .unwrap();
        let key = Key::new(name("foo"), Algorithm::HmacSha384, secret, None).unwrap();
        assert_eq!(
            key.to_named_conf(),
            "key \"foo\" {\n\talgorithm hmac-sha384;\n\tsecret \"6JmbkO2rHVkNuChQBrR970Zr0+AHHcQeOo4mmKRE6NrUnv+DKE+bVWKQvPR7vYZV\";\n};\n"
        );
        let key = Key::new(
            name("t.example."),
            Algorithm::HmacSha256,
            vec![0; 4],
            Some(128),
        )
        .unwrap();
        assert_eq!(
            key.to_named_conf(),
            "key \"t.example\" {\n\talgorithm hmac-sha256-128;\n\tsecret \"AAAAAA==\";\n};\n"
        );
    }

    #[test]
    fn generate_uses_full_length_secrets() {
        for a in Algorithm::ALL {
            let key = Key::generate(name("gen"), a).unwrap();
            assert_eq!(key.secret().len(), a.full_len());
            assert_eq!(key.mac_len(), a.full_len());
        }
        let a = Key::generate(name("gen"), Algorithm::HmacSha256).unwrap();
        let b = Key::generate(name("gen"), Algorithm::HmacSha256).unwrap();
        assert_ne!(a.secret().expose(), b.secret().expose());
    }

    #[test]
    fn unknown_algorithm_never_echoes_non_names() {
        let e = KeyError::unknown_algorithm("hmac-sha3");
        assert!(e.to_string().contains("\"hmac-sha3\""));
        let e = KeyError::unknown_algorithm("c2VjcmV0c2VjcmV0c2VjcmV0");
        assert!(!e.to_string().contains("c2VjcmV0"));
    }
}
