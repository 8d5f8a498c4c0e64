//! TransIP REST API v6 (`https://api.transip.nl/v6`). Login: `POST /auth` with a JSON body
//! (`login`, `nonce`, `read_only`, `expiration_time`, `label`, `global_key`) signed with the
//! account's RSA private key (RSASSA-PKCS1-v1_5, SHA-512, base64 in the `Signature` header,
//! [`sign::transip_signature`]) answers a bearer token (`{"token": "..."}`), kept for its 30
//! minutes less a margin. Then `Authorization: Bearer TOKEN`: `GET /domains` lists the zones,
//! `GET /domains/{domain}/dns` every entry (`dnsEntries`), `POST` adds one and `DELETE`
//! removes one, each with `{"dnsEntry": {"name", "expire", "type", "content"}}` (`name`
//! relative, `@` at the apex; `expire` the TTL).
//!
//! Entries have no ids: an entry is removed by its exact four fields as listed, and a change
//! is an addition and a removal (the removal first for a CNAME, one per name, and when only
//! the TTL changes). `PATCH` is not used: it finds the entry to change by name, type and
//! expire only, which is ambiguous when several values share them. Read, compare, then write.
//!
//! A, AAAA and CNAME only: TXT content has no documented quoting or escaping.
//!
//! Documentation: <https://api.transip.nl/rest/docs.html> (introduction, methods, status
//! codes). The login body and signature, the `dnsEntry` fields and the DNS calls follow
//! TransIP's own client library (`transip/gotransip`: `authenticator`, `domain/repository.go`,
//! `domain/domain.go`), since the stored documentation holds only the introduction of the API
//! reference; the `expiration_time` form `"30 minutes"` follows the documentation's login
//! example as quoted in TransIP tooling (gist "Get TransIP JWT").

use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_record::{Record, RecordApi};
use super::sign;
use super::text::{parse_presentation, presentation};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, relative_name};

/// The documented API base.
pub const ENDPOINT: &str = "https://api.transip.nl/v6";
/// How long a token is asked for (the `expiration_time` of the login).
pub const TOKEN_LIFETIME: &str = "30 minutes";
/// How long a token is used: its lifetime less a margin.
const TOKEN_USE: Duration = Duration::from_secs(25 * 60);

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ..Capabilities::READ_WRITE
};

/// `type = "transip"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The account (login) name.
    pub login: String,
    /// The private key of an API key pair (control panel, API), PEM: PKCS #8 as TransIP shows
    /// it, or PKCS #1 (`BEGIN RSA PRIVATE KEY`).
    pub private_key: SecretRef,
    /// Ask for tokens usable from any address, not only the key's whitelisted ones (needed when
    /// the key pair is not restricted to an IP whitelist but the account enforces one; see the
    /// control panel). Default false.
    #[serde(default)]
    pub global_key: bool,
    /// HTTP settings (`http.endpoint` replaces `https://api.transip.nl/v6`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// TransIP.
#[derive(Debug)]
pub struct TransIp {
    http: Http,
    settings: HttpSettings,
    login: String,
    global_key: bool,
    key: Option<ring::signature::RsaKeyPair>,
    token: Mutex<Option<(Secret, Instant)>>,
}

/// TransIP's error body: `{"error": "..."}`.
pub fn error_detail(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(short))
        .unwrap_or_default()
}

/// The token of a login answer.
pub fn parse_token(r: &Response) -> Result<String, ProviderError> {
    let v: Value = r.json()?;
    v.get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ProviderError::Protocol(format!("{}: no token", r.what)))
}

/// The domains of `GET /domains`.
pub fn parse_domains(r: &Response) -> Result<Vec<Name>, ProviderError> {
    let v: Value = r.json()?;
    let mut out = Vec::new();
    for d in v
        .get("domains")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let name = d.get("name").and_then(Value::as_str).ok_or_else(|| {
            ProviderError::Protocol(format!("{}: a domain without a name", r.what))
        })?;
        out.push(
            Name::from_ascii(format!("{}.", name.trim_end_matches('.'))).map_err(|e| {
                ProviderError::Protocol(format!("{}: domain {name:?}: {e}", r.what))
            })?,
        );
    }
    Ok(out)
}

/// The entries of `key` in a `GET /domains/{domain}/dns` answer; each record's id is its
/// content exactly as listed (what a removal must repeat).
pub fn parse_entries(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<Record>, ProviderError> {
    let v: Value = r.json()?;
    let want = relative_name(&key.name, zone);
    let mut out = Vec::new();
    for e in v
        .get("dnsEntries")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let bad = || ProviderError::Protocol(format!("{}: an entry missing a field", r.what));
        let s = |k: &str| e.get(k).and_then(Value::as_str).ok_or_else(bad);
        let (name, rtype, content) = (s("name")?, s("type")?, s("content")?);
        if !name.eq_ignore_ascii_case(&want) || !rtype.eq_ignore_ascii_case(&key.rtype.to_string())
        {
            continue;
        }
        let ttl = e
            .get("expire")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(bad)?;
        // `@` is the domain itself (a CNAME to the apex); other names may be relative too.
        let text = if content == "@" {
            zone.to_ascii()
        } else {
            content.to_string()
        };
        let value = parse_presentation(key.rtype, &text, zone).map_err(|e| {
            ProviderError::Protocol(format!(
                "{key}: TransIP holds a value dnsup cannot read ({content:?}: {e})"
            ))
        })?;
        out.push(Record {
            id: content.to_string(),
            value,
            ttl,
        });
    }
    Ok(out)
}

impl TransIp {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let unchecked = setup.unchecked.len();
        let ([pem], http) = Http::configured(
            setup,
            [(&c.private_key, "private_key")],
            &c.http,
            // 1000 requests per 15 minutes per account (TransIP knowledge base, "Using the
            // TransIP REST API"): at most one every 0.9 s keeps within it.
            Duration::from_millis(900),
        )?;
        // `check-config` outside the unit stands a placeholder in for a systemd credential:
        // there is no key to check then.
        let key = if setup.check_only && setup.unchecked.len() > unchecked {
            None
        } else {
            Some(
                sign::rsa_key_pair(pem.expose())
                    .map_err(|e| format!("transip: private_key: {e}"))?,
            )
        };
        if c.login.trim().is_empty() {
            return Err("transip: login is empty (the account name of the control panel)".into());
        }
        Ok(TransIp {
            http,
            settings: c.http.clone(),
            login: c.login.trim().to_string(),
            global_key: c.global_key,
            key,
            token: Mutex::new(None),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        endpoint_url(&self.settings, ENDPOINT, segments)
    }

    /// A valid token: the one held, or a new login.
    async fn token(&self) -> Result<Secret, ProviderError> {
        if let Some((t, until)) = &*self.token.lock().unwrap_or_else(|p| p.into_inner())
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let nonce: String = sign::nonce().chars().take(16).collect();
        let body = json!({
            "login": self.login,
            "nonce": nonce,
            "read_only": false,
            "expiration_time": TOKEN_LIFETIME,
            "label": format!("dnsup {} {nonce}", sign::unix_now()),
            "global_key": self.global_key,
        })
        .to_string();
        let key = self.key.as_ref().ok_or_else(|| {
            ProviderError::Auth("transip: the private key was not loaded (check-config)".into())
        })?;
        let signature = sign::transip_signature(key, body.as_bytes())
            .map_err(|e| ProviderError::Auth(format!("transip: {e}")))?;
        let mut req = Request::new(Method::POST, self.url(&["auth"])?)
            .header("content-type", "application/json")
            .header("signature", signature);
        req.body = body.into_bytes();
        let r = self.http.send(&req).await?;
        if !r.ok() {
            // A bad signature or login is 401/403; a refused login body is 4xx too.
            return Err(match self.http.fail(&r, error_detail) {
                ProviderError::Refused(m) => ProviderError::Auth(m),
                e => e,
            });
        }
        let token = Secret::new(parse_token(&r)?);
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((token.clone(), Instant::now() + TOKEN_USE));
        Ok(token)
    }

    async fn send(&self, request: Request) -> Result<Response, ProviderError> {
        let token = self.token().await?;
        let r = self.http.send(&request.bearer(&token)).await?;
        if !r.ok() {
            if r.status == 401 {
                *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            return Err(self.http.fail(&r, error_detail));
        }
        Ok(r)
    }

    /// `POST` (add) or `DELETE` (remove) one entry.
    async fn entry(
        &self,
        method: Method,
        zone: &Name,
        key: &RrsetKey,
        content: &str,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let domain = zone.to_ascii();
        let body = json!({"dnsEntry": {
            "name": relative_name(&key.name, zone),
            "expire": ttl,
            "type": key.rtype.to_string(),
            "content": content,
        }});
        let url = self.url(&["domains", domain.trim_end_matches('.'), "dns"])?;
        self.send(Request::new(method, url).json(&body)).await?;
        Ok(())
    }
}

impl RecordApi for TransIp {
    const LABEL: &'static str = "transip";
    const CAPABILITIES: Capabilities = CAPABILITIES;

    fn name(&self) -> &'static str {
        "TransIP"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        parse_domains(
            &self
                .send(Request::new(Method::GET, self.url(&["domains"])?))
                .await?,
        )
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let domain = zone.to_ascii();
        let url = self.url(&["domains", domain.trim_end_matches('.'), "dns"])?;
        parse_entries(&self.send(Request::new(Method::GET, url)).await?, zone, key)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        self.entry(Method::POST, zone, key, &presentation(value), ttl)
            .await
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        // No ids: add the new entry and remove the old one. Remove first when the two would
        // be the same entry but for the TTL, and for a CNAME (one per name).
        let remove_first = key.rtype == RecordType::CNAME || record.value == *value;
        if remove_first {
            self.delete(zone, key, record).await?;
        }
        self.create(zone, key, value, ttl).await?;
        if !remove_first {
            self.delete(zone, key, record).await?;
        }
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        self.entry(Method::DELETE, zone, key, &record.id, record.ttl)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET /v6/domains/example.com/dns".into(),
        }
    }

    #[test]
    fn documented_shapes_parse() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::CNAME,
        };
        let recs = parse_entries(
            &r(
                r#"{"dnsEntries":[{"name":"www","expire":86400,"type":"CNAME","content":"@"},{"name":"@","expire":300,"type":"A","content":"192.0.2.1"}]}"#,
            ),
            &zone,
            &key,
        )
        .unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!((recs[0].id.as_str(), recs[0].ttl), ("@", 86400));
        assert_eq!(recs[0].value.to_string(), "example.com.");
        assert_eq!(
            parse_domains(&r(r#"{"domains":[{"name":"example.com","tags":[]}]}"#)).unwrap(),
            [zone]
        );
        assert_eq!(parse_token(&r(r#"{"token":"eyJ0"}"#)).unwrap(), "eyJ0");
        assert_eq!(
            error_detail(br#"{"error":"Signature is invalid"}"#),
            "Signature is invalid"
        );
    }
}
