//! Small, pure building blocks for the adapters whose APIs sign requests (Route 53 SigV4,
//! Alibaba Cloud RPC v1, Tencent Cloud TC3): hashes, HMACs, hex, RFC 3986 percent-encoding,
//! UTC calendar dates from a Unix time, and random nonces. Nothing here does I/O except
//! [`nonce`] (the system random generator) and [`unix_now`] (the clock); the signing
//! functions take time and nonce as arguments so they can be pinned by known-answer tests.

use std::time::{SystemTime, UNIX_EPOCH};

use ring::{digest, hmac};

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of `data`, lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&k, data).as_ref().to_vec()
}

/// HMAC-SHA1 of `data` under `key`.
pub fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let k = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    hmac::sign(&k, data).as_ref().to_vec()
}

/// Constant-time comparison (for the signature checks of tests and fakes).
pub fn same_secret_bytes(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// RFC 3986 percent-encoding: the unreserved set `A-Z a-z 0-9 - _ . ~` stays, every other
/// byte becomes `%XX` (upper-case hex); `/` stays too when `keep_slash`.
pub fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes (and `+` as a space when `plus_is_space`); invalid escapes stay as
/// they are. Invalid UTF-8 is replaced.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `(name, value)` pairs, each RFC 3986-encoded, joined with `&` in the order given.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical query string of SigV4-style signatures (AWS, Huawei APIG, Volcengine): each
/// name and value decoded, RFC 3986-encoded, the pairs sorted, joined with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_encode(&percent_decode(k, false), false),
                percent_encode(&percent_decode(v, false), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every intermediate value of a Huawei Cloud APIG signature (SDK-HMAC-SHA256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkHmac {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// `a;b;c`: the signed header names.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header.
    pub authorization: String,
}

/// Huawei Cloud's SDK-HMAC-SHA256 ("AK/SK signing", API Gateway): the canonical request of
/// `method`, the path as sent (each segment encoded once more, a final `/` added), the sorted
/// query, the `headers` (lower-cased names, trimmed values, sorted; `host` and `x-sdk-date`
/// among them) and the SHA-256 of `body`; the string to sign
/// `SDK-HMAC-SHA256\n{x-sdk-date}\n{hex(sha256(canonical request))}`; the signature its
/// HMAC-SHA256 under the secret key itself (no derived key).
#[allow(clippy::too_many_arguments)]
pub fn sdk_hmac_sha256(
    access_key: &str,
    secret_key: &str,
    method: &str,
    wire_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    body: &[u8],
    sdk_date: &str,
) -> SdkHmac {
    let mut uri: String = wire_path
        .split('/')
        .map(|seg| percent_encode(&percent_decode(seg, false), false))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut canon: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    canon.sort();
    let signed_headers = canon
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = canon.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical_request = format!(
        "{method}\n{uri}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        canonical_query(raw_query),
        sha256_hex(body)
    );
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{sdk_date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hex(&hmac_sha256(
        secret_key.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!(
        "SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    SdkHmac {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// Every intermediate value of a Baidu AI Cloud BCE signature (`bce-auth-v1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BceAuth {
    /// `bce-auth-v1/{ak}/{timestamp}/{expiration}`.
    pub prefix: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header: the prefix, the signed header names and the signature.
    pub authorization: String,
}

/// Baidu AI Cloud's BCE authentication v1: the signing key is the hex HMAC-SHA256 of the
/// prefix `bce-auth-v1/{ak}/{timestamp}/{expiration}` under the secret key; the canonical
/// request is the method, the path (RFC 3986-encoded but `/`), the sorted query and the
/// `headers` (`name:value`, both encoded, lower-cased names, trimmed values, sorted, one per
/// line); the signature is the hex HMAC-SHA256 of it under the (hex) signing key. `timestamp`
/// is `YYYY-MM-DDTHH:MM:SSZ` (the `x-bce-date` header); `list_headers`: name the signed
/// headers in the `Authorization` (empty means the documented default set).
#[allow(clippy::too_many_arguments)]
pub fn bce_auth_v1(
    access_key: &str,
    secret_key: &str,
    method: &str,
    wire_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    timestamp: &str,
    expiration: u32,
    list_headers: bool,
) -> BceAuth {
    let prefix = format!("bce-auth-v1/{access_key}/{timestamp}/{expiration}");
    let signing_key = hex(&hmac_sha256(secret_key.as_bytes(), prefix.as_bytes()));
    let mut canon: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                percent_encode(&k.trim().to_ascii_lowercase(), false),
                percent_encode(v.trim(), false),
            )
        })
        .collect();
    canon.sort();
    let canonical_headers = canon
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let path = percent_encode(&percent_decode(wire_path, false), true);
    let canonical_request = format!(
        "{method}\n{path}\n{}\n{canonical_headers}",
        canonical_query(raw_query)
    );
    let signature = hex(&hmac_sha256(
        signing_key.as_bytes(),
        canonical_request.as_bytes(),
    ));
    let signed = if list_headers {
        canon
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(";")
    } else {
        String::new()
    };
    let authorization = format!("{prefix}/{signed}/{signature}");
    BceAuth {
        prefix,
        canonical_request,
        signature,
        authorization,
    }
}

/// Every intermediate value of a Volcengine OpenAPI signature (`HMAC-SHA256`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolcSign {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// `a;b;c`: the signed header names.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header.
    pub authorization: String,
}

/// Volcengine's OpenAPI signature (SigV4-like, algorithm `HMAC-SHA256`): the canonical
/// request of `method`, the path `/`, the sorted query, the `headers` (lower-cased names,
/// trimmed values, sorted; `host` and `x-date` among them) and the SHA-256 of `body`; the
/// string to sign `HMAC-SHA256\n{x-date}\n{YYYYMMDD}/{region}/{service}/request\n{hex(sha256(
/// canonical request))}`; the signing key `HMAC(HMAC(HMAC(HMAC(secret, YYYYMMDD), region),
/// service), "request")` (the secret as is, no prefix), the signature the hex HMAC of the
/// string to sign under it. `x_date` is `YYYYMMDDTHHMMSSZ`.
#[allow(clippy::too_many_arguments)]
pub fn volc_hmac_sha256(
    access_key: &str,
    secret_key: &str,
    region: &str,
    service: &str,
    method: &str,
    raw_query: &str,
    headers: &[(String, String)],
    body: &[u8],
    x_date: &str,
) -> VolcSign {
    let mut canon: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    canon.sort();
    let signed_headers = canon
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = canon.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical_request = format!(
        "{method}\n/\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        canonical_query(raw_query),
        sha256_hex(body)
    );
    let day = x_date.get(..8).unwrap_or(x_date);
    let scope = format!("{day}/{region}/{service}/request");
    let string_to_sign = format!(
        "HMAC-SHA256\n{x_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(secret_key.as_bytes(), day.as_bytes());
    for part in [region, service, "request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    VolcSign {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// A UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day, 1-31.
    pub day: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
}

impl Utc {
    /// The UTC calendar time of `unix` seconds (proleptic Gregorian; H. Hinnant's
    /// `civil_from_days`).
    pub fn from_unix(unix: u64) -> Utc {
        let days = (unix / 86_400) as i64;
        let rem = unix % 86_400;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Utc {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `YYYYMMDD`.
    pub fn date_compact(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `YYYYMMDDTHHMMSSZ` (ISO 8601 basic format).
    pub fn basic(&self) -> String {
        format!(
            "{}T{:02}{:02}{:02}Z",
            self.date_compact(),
            self.hour,
            self.minute,
            self.second
        )
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (ISO 8601 extended format).
    pub fn extended(&self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// 16 random bytes as 32 hex digits, for request nonces.
pub fn nonce() -> String {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 16];
    if SystemRandom::new().fill(&mut b).is_err() {
        // Never expected; a time-based value still differs per request.
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        return format!("{t:032x}");
    }
    hex(&b)
}

/// The `X-Ovh-Signature` of an OVH API request: `$1$` and the lower-case hex SHA-1 of the
/// application secret, consumer key, method, full URL (with its query), body and timestamp
/// joined by `+` (<https://docs.ovh.com/gb/en/customer/first-steps-with-ovh-api/>,
/// "First API usage"). `timestamp` is the API's clock (`GET /auth/time` plus the elapsed
/// time), not necessarily ours.
pub fn ovh_signature(
    application_secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &[u8],
    timestamp: u64,
) -> String {
    let mut data = Vec::with_capacity(128 + url.len() + body.len());
    for part in [application_secret, consumer_key, method, url] {
        data.extend_from_slice(part.as_bytes());
        data.push(b'+');
    }
    data.extend_from_slice(body);
    data.push(b'+');
    data.extend_from_slice(timestamp.to_string().as_bytes());
    format!(
        "$1${}",
        hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &data).as_ref())
    )
}

/// The `X-NFSN-Authentication` header of a NearlyFreeSpeech.NET API request:
/// `login;timestamp;salt;hash`, where `hash` is the lower-case hex SHA-1 of
/// `login;timestamp;salt;api_key;request_uri;` followed by the hex SHA-1 of the body
/// (<https://members.nearlyfreespeech.net/wiki/API/Introduction>; NFSN's own client,
/// `nfsn/nfsn-apiclient-php`, `Manager::calculateAuthHash`). `request_uri` is the path as sent
/// (`/dns/example.com/listRRs`); `timestamp` is Unix seconds (the API refuses a clock more
/// than a few seconds off) and `salt` 16 characters of `[A-Za-z0-9]` ([`nfsn_salt`]).
pub fn nfsn_authentication(
    login: &str,
    api_key: &str,
    timestamp: u64,
    salt: &str,
    request_uri: &str,
    body: &[u8],
) -> String {
    let sha1 = |data: &[u8]| hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data).as_ref());
    let check = format!(
        "{login};{timestamp};{salt};{api_key};{request_uri};{}",
        sha1(body)
    );
    format!("{login};{timestamp};{salt};{}", sha1(check.as_bytes()))
}

/// A fresh salt for [`nfsn_authentication`]: 16 random characters of `[A-Za-z0-9]`.
pub fn nfsn_salt() -> String {
    use ring::rand::{SecureRandom, SystemRandom};
    const CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut out = String::with_capacity(16);
    let rng = SystemRandom::new();
    while out.len() < 16 {
        let mut b = [0u8; 32];
        if rng.fill(&mut b).is_err() {
            // Never expected; the nonce's fallback still differs per request.
            b.copy_from_slice(&nonce().as_bytes()[..32]);
        }
        // 248 = 4 * 62: bytes above it are dropped so every character is equally likely.
        for &x in b.iter().filter(|&&x| x < 248) {
            if out.len() < 16 {
                out.push(CHARS[(x % 62) as usize] as char);
            }
        }
    }
    out
}

/// The scope of a Google Cloud DNS token (read and write records).
pub const GOOGLE_DNS_SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";

/// Base64url without padding (RFC 7515 section 2).
pub fn base64url(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// The DER of the first `-----BEGIN PRIVATE KEY-----` block (PKCS #8) of `pem`.
pub fn pkcs8_der(pem: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let body = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .ok_or("no PKCS #8 private key (BEGIN PRIVATE KEY) in private_key")?;
    let b64: String = body
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && *c != '\\')
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| "private_key is not valid base64 inside its PEM block".to_string())
}

/// The signed JWT a Google service account exchanges for an OAuth2 access token
/// (<https://developers.google.com/identity/protocols/oauth2/service-account>, "Preparing to
/// make an authorized API call"): header `{"alg":"RS256","typ":"JWT"}`, claims `iss` (the
/// account's e-mail), `scope`, `aud` (the key's `token_uri`), `iat` and `exp` one hour later,
/// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic, so pinned by a known answer).
pub fn google_jwt(
    pkcs8: &[u8],
    client_email: &str,
    scope: &str,
    audience: &str,
    iat: u64,
) -> Result<String, String> {
    let key = ring::signature::RsaKeyPair::from_pkcs8(pkcs8)
        .map_err(|e| format!("private_key is not a usable RSA key ({e})"))?;
    // In the documented order (a serde_json map would sort the keys).
    let q = |s: &str| serde_json::Value::from(s).to_string();
    let claims = format!(
        r#"{{"iss":{},"scope":{},"aud":{},"exp":{},"iat":{iat}}}"#,
        q(client_email),
        q(scope),
        q(audience),
        iat + 3600
    );
    let input = format!(
        "{}.{}",
        base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url(claims.as_bytes())
    );
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "cannot sign the token request".to_string())?;
    Ok(format!("{input}.{}", base64url(&sig)))
}

/// An RSA private key from PEM: PKCS #8 (`BEGIN PRIVATE KEY`, as TransIP's control panel
/// shows it) or PKCS #1 (`BEGIN RSA PRIVATE KEY`, what `openssl rsa` writes).
pub fn rsa_key_pair(pem: &str) -> Result<ring::signature::RsaKeyPair, String> {
    use base64::Engine;
    // A PEM block written on one line with `\n` for its line ends (as some tools store it).
    let pem = pem.replace("\\n", "\n");
    let block = |begin: &str, end: &str| -> Option<Result<Vec<u8>, String>> {
        let body = pem.split(begin).nth(1)?.split(end).next()?;
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        Some(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| "the private key is not valid base64 inside its PEM block".into()),
        )
    };
    if let Some(der) = block("-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----") {
        return ring::signature::RsaKeyPair::from_pkcs8(&der?)
            .map_err(|e| format!("the private key is not a usable RSA key ({e})"));
    }
    if let Some(der) = block(
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
    ) {
        return ring::signature::RsaKeyPair::from_der(&der?)
            .map_err(|e| format!("the private key is not a usable RSA key ({e})"));
    }
    Err("no private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) in the PEM text".into())
}

/// The `Signature` header of a TransIP API v6 `POST /auth`: the request body signed with the
/// account's RSA key (RSASSA-PKCS1-v1_5 with SHA-512), in standard base64 (TransIP's API
/// documentation, "Authentication"; deterministic, so pinned by a known answer).
pub fn transip_signature(key: &ring::signature::RsaKeyPair, body: &[u8]) -> Result<String, String> {
    use base64::Engine;
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA512,
        &ring::rand::SystemRandom::new(),
        body,
        &mut sig,
    )
    .map_err(|_| "cannot sign the login request".to_string())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        // 2015-08-30T12:36:00Z, the time of the AWS SigV4 test suite.
        let t = Utc::from_unix(1_440_938_160);
        assert_eq!(t.basic(), "20150830T123600Z");
        assert_eq!(t.extended(), "2015-08-30T12:36:00Z");
        // 1551113065 is 2019-02-25 (UTC), the Tencent Cloud example's date.
        assert_eq!(Utc::from_unix(1_551_113_065).date(), "2019-02-25");
        assert_eq!(Utc::from_unix(0).extended(), "1970-01-01T00:00:00Z");
        assert_eq!(Utc::from_unix(951_782_400).date(), "2000-02-29");
    }

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("a b*c~d+e/f", false), "a%20b%2Ac~d%2Be%2Ff");
        assert_eq!(percent_encode("/a b/", true), "/a%20b/");
        assert_eq!(percent_encode("ሴ", false), "%E1%88%B4");
        assert_eq!(percent_decode("a%20b+c%2", true), "a b c%2");
        assert_eq!(percent_decode("a+b%zz", false), "a+b%zz");
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(nonce(), nonce());
    }
    /// The worked example of Huawei Cloud's "API Request Signing Guide" (AK/SK signing
    /// algorithm, https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm.html):
    /// GET /v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-... at
    /// 20191115T033655Z, signing content-type, host and x-sdk-date, with the documented
    /// (example) secret key; the canonical request's hash and the final signature are the
    /// page's.
    #[test]
    fn huawei_documented_example() {
        let headers = [
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Host".to_string(), "service.region.example.com".to_string()),
            ("X-Sdk-Date".to_string(), "20191115T033655Z".to_string()),
        ];
        let s = sdk_hmac_sha256(
            "QTWAOYTTINDUT2QVKYUC",
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            "GET",
            "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            &headers,
            b"",
            "20191115T033655Z",
        );
        assert_eq!(
            s.canonical_request,
            "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\nlimit=2&marker=13551d6b-755d-4757-b956-536f674975c0\ncontent-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\ncontent-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(s.canonical_request.as_bytes()),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            s.string_to_sign,
            "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            s.signature,
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
        assert_eq!(
            s.authorization,
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }
    /// The worked example of Baidu AI Cloud's "Generate Authentication String" and "Include
    /// the Authentication String into the Header" pages
    /// (https://intl.cloud.baidu.com/doc/Reference/s/njwvz1yfu-en,
    /// https://intl.cloud.baidu.com/doc/Reference/s/Gjwvz1xez-en): BOS UploadPart at
    /// 2015-04-27T08:23:49Z with the documented AK/SK (`aaaa...`, `bbbb...`), every header of
    /// the default set signed; the final signature is the page's.
    #[test]
    fn baidu_documented_example() {
        let headers = [
            ("Host".to_string(), "bj.bcebos.com".to_string()),
            ("Content-Length".to_string(), "8".to_string()),
            (
                "Content-MD5".to_string(),
                "NFzcPqhviddjRNnSOGo4rw==".to_string(),
            ),
            ("Content-Type".to_string(), "text/plain".to_string()),
            ("x-bce-date".to_string(), "2015-04-27T08:23:49Z".to_string()),
        ];
        let s = bce_auth_v1(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "PUT",
            "/v1/test/myfolder/readme.txt",
            "partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851",
            &headers,
            "2015-04-27T08:23:49Z",
            1800,
            false,
        );
        assert_eq!(
            s.canonical_request,
            "PUT\n/v1/test/myfolder/readme.txt\npartNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\ncontent-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\ncontent-type:text%2Fplain\nhost:bj.bcebos.com\nx-bce-date:2015-04-27T08%3A23%3A49Z"
        );
        assert_eq!(
            s.authorization,
            "bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800//d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e"
        );
    }

    /// Volcengine's own worked examples, with the documented (example) AK/SK
    /// `AKLTYWViMTVm...` / `WkRZeE1E...`: "签名示例" (https://www.volcengine.com/docs/6369/67270,
    /// GET iam ListUsers at 20240619T071306Z, cn-beijing) and "签名方法"
    /// (https://www.volcengine.com/docs/6369/67269, GET billing QueryBalanceAcct and POST
    /// ListBill with a JSON body at 20250329T180937Z); canonical request hashes, signing key and
    /// signatures are the pages'. The pages themselves were read through excerpts and through
    /// independent implementations that pin the same values.
    #[test]
    fn volcengine_documented_examples() {
        let (ak, sk) = (
            "AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg",
            "WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ==",
        );
        let h = |host: &str, date: &str| {
            vec![
                ("Host".to_string(), host.to_string()),
                ("X-Date".to_string(), date.to_string()),
            ]
        };
        let s = volc_hmac_sha256(
            ak,
            sk,
            "cn-beijing",
            "iam",
            "GET",
            "Action=ListUsers&Version=2018-01-01&Limit=10&Offset=0",
            &h("iam.volcengineapi.com", "20240619T071306Z"),
            b"",
            "20240619T071306Z",
        );
        assert_eq!(
            s.canonical_request,
            "GET\n/\nAction=ListUsers&Limit=10&Offset=0&Version=2018-01-01\nhost:iam.volcengineapi.com\nx-date:20240619T071306Z\n\nhost;x-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(s.canonical_request.as_bytes()),
            "5ed5bca3905e1fcbf789abb56a17c2d819674a3bcfa468ae476bd1ea80d135cb"
        );
        assert_eq!(
            s.authorization,
            format!(
                "HMAC-SHA256 Credential={ak}/20240619/cn-beijing/iam/request, SignedHeaders=host;x-date, Signature=e31c4558bcfe08a286001f59cedbf0791ffd0b2362f10e55ee2627467bcdde93"
            )
        );
        let get = volc_hmac_sha256(
            ak,
            sk,
            "cn-beijing",
            "billing",
            "GET",
            "Action=QueryBalanceAcct&Version=2022-01-01",
            &h("billing.volcengineapi.com", "20250329T180937Z"),
            b"",
            "20250329T180937Z",
        );
        assert_eq!(
            sha256_hex(get.canonical_request.as_bytes()),
            "43171c1658c64b5db55c58d54988a4598d2d09a5613136beaa5eef40eae6e2c1"
        );
        assert_eq!(
            get.signature,
            "1eda9e7e6b1728151a8e8791fdaf67cfbd28bd5c80d0fce2eb208746cf483105"
        );
        let post = volc_hmac_sha256(
            ak,
            sk,
            "cn-beijing",
            "billing",
            "POST",
            "Action=ListBill&Version=2022-01-01",
            &h("billing.volcengineapi.com", "20250329T180937Z"),
            br#"{"Limit":10,"BillPeriod":"2023-08"}"#,
            "20250329T180937Z",
        );
        assert_eq!(
            sha256_hex(post.canonical_request.as_bytes()),
            "27383e3b56d03850f5634483527fbddcbf06cf98de1bc8a6679ef2300bff3b15"
        );
        assert_eq!(
            post.signature,
            "5e8480ceea12d0000a23c054151c50dd02c1a7dec835004057d19f13d53a7658"
        );
    }

    /// OVH publishes the formula but no worked example; these are pinned from an independent
    /// implementation (`printf '%s' 'AS+CK+METHOD+URL+BODY+TS' | openssl dgst -sha1`), one
    /// GET with a query and an empty body, one POST with a JSON body.
    #[test]
    fn ovh_signature_known_answers() {
        let (r#as, ck) = ("EXEMPLEpaSSWORD", "MtSwSrPpNjqfVSmJhLbPyr2i45lSDhE");
        assert_eq!(
            ovh_signature(
                r#as,
                ck,
                "GET",
                "https://eu.api.ovh.com/1.0/domain/zone/example.com/record?fieldType=A&subDomain=www",
                b"",
                1_366_560_945
            ),
            "$1$819877f50443da507ff939d96d375d690a91be43"
        );
        assert_eq!(
            ovh_signature(
                r#as,
                ck,
                "POST",
                "https://eu.api.ovh.com/1.0/domain/zone/example.com/record",
                br#"{"fieldType":"A","subDomain":"www","target":"192.0.2.1","ttl":300}"#,
                1_366_560_945
            ),
            "$1$fc49882defca9b8f6c96d680ab586db496a31625"
        );
    }

    /// The known answer of ktdreyer/python-nfsn (`nfsn/tests/test_auth.py`), an independent
    /// client of the same API: empty body, URI `/testing`.
    #[test]
    fn nfsn_authentication_known_answer() {
        assert_eq!(
            nfsn_authentication(
                "testlogin",
                "testapikey123",
                1_000_000,
                "yumsalty1234",
                "/testing",
                b""
            ),
            "testlogin;1000000;yumsalty1234;d20e2ee4105b82060f4c0ea9c2d9a91a3b6cdd13"
        );
    }

    #[test]
    fn nfsn_salts_are_sixteen_alphanumerics_and_differ() {
        let (a, b) = (nfsn_salt(), nfsn_salt());
        for s in [&a, &b] {
            assert_eq!(s.len(), 16);
            assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()), "{s}");
        }
        assert_ne!(a, b);
    }

    /// Google publishes no signed example; the JWT is pinned from an independent
    /// implementation: a 2048-bit test key made by `openssl genpkey`, the signing input built
    /// with `base64 | tr '+/' '-_'` and signed by `openssl dgst -sha256 -sign` (RS256 is
    /// deterministic).
    #[test]
    fn google_jwt_known_answer() {
        let der = pkcs8_der(include_str!("../../tests/providers/gcloud-test-key.pem")).unwrap();
        let jwt = google_jwt(
            &der,
            "dnsup@example-project.iam.gserviceaccount.com",
            GOOGLE_DNS_SCOPE,
            "https://oauth2.googleapis.com/token",
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(
            jwt,
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJkbnN1cEBleGFtcGxlLXByb2plY3QuaWFtLmdzZXJ2aWNlYWNjb3VudC5jb20iLCJzY29wZSI6Imh0dHBzOi8vd3d3Lmdvb2dsZWFwaXMuY29tL2F1dGgvbmRldi5jbG91ZGRucy5yZWFkd3JpdGUiLCJhdWQiOiJodHRwczovL29hdXRoMi5nb29nbGVhcGlzLmNvbS90b2tlbiIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwfQ.rrJA9wIaGyRw1NV9H0nEzk7x0SLBApvuwpiA97llMxI-Zy5IAcUj4jjWMcdukSauUE21sxIh_Wnak6TxABtNdAxp3sfO_MzcOF--eyG0mBJyE6A1_50PyL3UkT-zGJGXDtH8lcMs7Z9ARB6rvSM1jJEdjkrkF7zSXx4ndTlkPUmCHn5v_eopUlICipXlFmRQ4h3GZgpzBF8UJPqkvmlCxGgp1Qf6NNMWozL8ZcXoWKm3uXffL1jICKPdk_c1S5tF2G6SxJbxUVoNl9O_wyQcaP1UQb7fKmRSeXwX9bsJxy1E82PBaNXMK1d_JGYnh0SThXwWzEHSX6Jmg9lR_Tx9Bg"
        );
        assert!(pkcs8_der("-----BEGIN RSA PRIVATE KEY-----").is_err());
        assert!(google_jwt(b"not a key", "a", "b", "c", 0).is_err());
    }

    /// TransIP's login signature, for the test key of TransIP's own Go client
    /// (`transip/gotransip`, `testdata/signature.key`) and the body of its signing test; the
    /// expected value is what `openssl dgst -sha512 -sign KEY | base64` gives for it.
    #[test]
    fn transip_signature_known_answer() {
        let key = rsa_key_pair(include_str!("../../tests/providers/transip-test-key.pem")).unwrap();
        let sig =
            transip_signature(&key, br#"{"login":"test-user","nonce":"98475920834"}"#).unwrap();
        assert_eq!(
            sig,
            "MjUq83SdzBrT4yqoEv5qQj5GOjC6xjnvj8wm6/Q5LWxNeQSc9yl8n44vE4mw0XkiL/RyKj1fJxoMu2lgw+7Wn5J7aTcHGiURbJksW+R1GyVU5czy9D9L3ZehfZbKkED4pCwMhsjLTUlbaLRN/KjgJjdTH76C6uJFJBNYCGH0FDQe0TTy8JTaIFX6OLU/OFywasffrmnn/7kR1ue0hjb5ghfoMcQg55klYsbUihprdWPerjMsMY+2QUClTVpfG/kBFDwLn1A6ViWCF9O9yWM8nOxFmBIjQnNrFkwwBU5jMbVL6eUaizd/emOBsCe1XWN+0Unx5Ph9vyQzh86PpxvV7Q=="
        );
        // The same key as PKCS #1 (`openssl rsa -traditional`) signs the same.
        let pkcs1 = rsa_key_pair(include_str!(
            "../../tests/providers/transip-test-key-pkcs1.pem"
        ))
        .unwrap();
        assert_eq!(
            transip_signature(&pkcs1, br#"{"login":"test-user","nonce":"98475920834"}"#).unwrap(),
            sig
        );
        assert!(
            rsa_key_pair("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----").is_err()
        );
        assert!(rsa_key_pair("no key here").is_err());
        // One line with `\n` escapes reads the same.
        let one_line =
            include_str!("../../tests/providers/transip-test-key.pem").replace('\n', "\\n");
        let k = rsa_key_pair(&one_line).unwrap();
        assert_eq!(
            transip_signature(&k, b"x").unwrap(),
            transip_signature(&key, b"x").unwrap()
        );
    }
}
