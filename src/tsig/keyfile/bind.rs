//! BIND's other two key forms: the `K<name>.+<alg>+<id>.private` file once written by
//! `dnssec-keygen -a HMAC-...` (still read by `nsupdate -k`), and `nsupdate -y [alg:]name:secret`.

use hickory_proto::rr::Name;

use super::{KeyFileError, build_key, parse_key_name};
use crate::tsig::algorithm::Algorithm;
use crate::tsig::key::Key;

/// Parse a BIND `.private` key file:
///
/// ```text
/// Private-key-format: v1.3
/// Algorithm: 163 (HMAC_SHA256)
/// Key: base64
/// Bits: AAA=
/// ```
///
/// The key name is not in the file (it is in the file name), so the caller supplies it.
/// Unknown fields are ignored.
pub fn parse_k_private(text: &str, key_name: Name) -> Result<Key, KeyFileError> {
    let mut format = None;
    let mut algorithm: Option<(Algorithm, usize)> = None;
    let mut secret: Option<(&str, usize)> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some((field, value)) = trimmed.split_once(':') else {
            return Err(KeyFileError::at(line, "expected 'Field: value'"));
        };
        let value = value.trim();
        match field.trim().to_ascii_lowercase().as_str() {
            "private-key-format" => {
                if !value.starts_with("v1.") {
                    return Err(KeyFileError::at(
                        line,
                        "unsupported Private-key-format (expected v1.x)",
                    ));
                }
                format = Some(line);
            }
            "algorithm" => {
                let number = value.split_whitespace().next().unwrap_or_default();
                let number: u16 = number.parse().map_err(|_| {
                    KeyFileError::at(line, "expected an algorithm number such as 163")
                })?;
                let found = Algorithm::from_bind_number(number).ok_or_else(|| {
                    KeyFileError::at(
                        line,
                        format!(
                            "algorithm {number} is not a TSIG HMAC algorithm (157, 161-165); is this a DNSSEC key?"
                        ),
                    )
                })?;
                algorithm = Some((found, line));
            }
            "key" => secret = Some((value, line)),
            _ => {}
        }
    }
    if format.is_none() {
        return Err(KeyFileError::whole(
            "not a BIND private key file (no Private-key-format line)",
        ));
    }
    let (algorithm, algorithm_line) =
        algorithm.ok_or_else(|| KeyFileError::whole("no Algorithm line"))?;
    let (secret, secret_line) = secret.ok_or_else(|| KeyFileError::whole("no Key line"))?;
    build_key(
        key_name,
        algorithm.name(),
        Some(algorithm_line),
        secret,
        Some(secret_line),
    )
}

/// Parse `nsupdate -y [alg:]name:secret`. Like nsupdate, split at the first colon; if the rest
/// still contains a colon, the first field was the algorithm. The default algorithm is
/// hmac-md5, as in nsupdate (a frequent cause of BADKEY against servers using hmac-sha256).
pub fn parse_nsupdate_y(s: &str) -> Result<Key, KeyFileError> {
    parse_y(s, None)
}

pub(crate) fn parse_y(s: &str, line: Option<usize>) -> Result<Key, KeyFileError> {
    let err = |message: &str| KeyFileError {
        path: None,
        line,
        message: message.to_string(),
    };
    let s = s.trim();
    let Some((first, rest)) = s.split_once(':') else {
        return Err(err("expected [algorithm:]name:secret"));
    };
    let (algorithm, name, secret) = match rest.split_once(':') {
        Some((name, secret)) => (first, name, secret),
        None => ("hmac-md5", first, rest),
    };
    // Field text is not echoed: with a misplaced colon any field may hold the secret.
    let name = parse_key_name(name, line, false)?;
    build_key(name, algorithm, line, secret, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IQ==";

    /// A `.private` file as `dnssec-keygen -a HMAC-<alg> -n HOST` wrote them before BIND 9.13
    /// dropped HMAC generation from it.
    fn private_file(number: u8, label: &str) -> String {
        format!(
            "Private-key-format: v1.3\nAlgorithm: {number} ({label})\nKey: {SECRET}\nBits: AAA=\nCreated: 20240101000000\nPublish: 20240101000000\nActivate: 20240101000000\n"
        )
    }

    #[test]
    fn k_private_every_algorithm() {
        let labels = [
            "HMAC_MD5",
            "HMAC_SHA1",
            "HMAC_SHA224",
            "HMAC_SHA256",
            "HMAC_SHA384",
            "HMAC_SHA512",
        ];
        for (algorithm, label) in Algorithm::ALL.into_iter().zip(labels) {
            let text = private_file(algorithm.bind_number(), label);
            let key = parse_k_private(&text, Name::from_ascii("host.example.").unwrap()).unwrap();
            assert_eq!(key.algorithm(), algorithm);
            assert_eq!(key.name().to_ascii(), "host.example.");
            assert_eq!(key.secret().expose(), b"this is a test secret!");
        }
    }

    #[test]
    fn k_private_errors() {
        let name = || Name::from_ascii("k").unwrap();
        let e = parse_k_private(
            "Private-key-format: v1.3\nAlgorithm: 8 (RSASHA256)\nModulus: AAAA\n",
            name(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("algorithm 8 is not a TSIG HMAC algorithm"),
            "{e}"
        );
        let e = parse_k_private(
            "Private-key-format: v1.3\nAlgorithm: 163\nKey: @@@@\n",
            name(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "line 3: secret is not valid base64");
        let e = parse_k_private("Algorithm: 163\nKey: AAAA\n", name()).unwrap_err();
        assert!(e.message.contains("no Private-key-format"), "{e}");
        let e = parse_k_private("Private-key-format: v1.3\nKey: AAAA\n", name()).unwrap_err();
        assert_eq!(e.message, "no Algorithm line");
        let e = parse_k_private("Private-key-format: v1.3\nAlgorithm: 163\n", name()).unwrap_err();
        assert_eq!(e.message, "no Key line");
        let e = parse_k_private("Private-key-format: v2.0\n", name()).unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse_k_private("Private-key-format: v1.3\nAlgorithm: HMAC\n", name()).unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse_k_private("Private-key-format: v1.3\njunk\n", name()).unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn nsupdate_y_forms() {
        let key = parse_nsupdate_y(&format!("ddns-key.example:{SECRET}")).unwrap();
        assert_eq!(key.algorithm(), Algorithm::HmacMd5, "nsupdate's default");
        assert_eq!(key.name().to_ascii(), "ddns-key.example.");
        let key = parse_nsupdate_y(&format!("hmac-sha512:Name.Example.:{SECRET}")).unwrap();
        assert_eq!(key.algorithm(), Algorithm::HmacSha512);
        assert_eq!(key.name().to_ascii(), "name.example.");
        let key = parse_nsupdate_y(&format!("hmac-sha256-128:n:{SECRET}")).unwrap();
        assert_eq!(key.mac_len(), 16);
    }

    #[test]
    fn nsupdate_y_errors_hide_the_secret() {
        // With a third colon, nsupdate makes the secret "sec:ret", which is not base64.
        let cases = [
            ("hmac-sha256:name:c2Vj:cmV0", "secret is not valid base64"),
            ("c2VjcmV0", "expected [algorithm:]name:secret"),
            ("name:", "secret is empty"),
            (":c2VjcmV0", "key name is empty"),
            ("c2VjcmV0:name:c2VjcmV0", "unknown TSIG algorithm;"),
            ("hmac-sha256:a..b:c2VjcmV0", "invalid key name"),
        ];
        for (input, message) in cases {
            let e = parse_nsupdate_y(input).unwrap_err();
            assert!(e.message.starts_with(message), "{input}: {e}");
            assert_eq!(e.line, None);
            assert!(!e.to_string().contains("c2Vj"), "{e}");
            assert!(!e.to_string().contains("cmV0"), "{e}");
        }
    }
}
