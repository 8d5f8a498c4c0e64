//! Google Cloud DNS (API v1, `https://dns.googleapis.com/dns/v1`), authorised by a service
//! account: its JSON key signs a JWT ([`sign::google_jwt`], RS256 with ring), exchanged at the
//! key's `token_uri` for an OAuth2 access token (kept until a minute before it expires).
//!
//! Documentation followed:
//! - <https://developers.google.com/identity/protocols/oauth2/service-account> (the JWT, the
//!   grant `urn:ietf:params:oauth:grant-type:jwt-bearer`, the answer `access_token`,
//!   `expires_in`, `token_type`)
//! - <https://cloud.google.com/dns/docs/reference/rest/v1/managedZones/list> (`managedZones`,
//!   `dnsName`, `visibility`, `nextPageToken`)
//! - <https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets/list> (`name`,
//!   `type` filters; `rrsets` with `name`, `type`, `ttl`, `rrdatas` in zone-file format)
//! - <https://cloud.google.com/dns/docs/reference/rest/v1/changes/create> (one `Change` with
//!   `additions` and `deletions`, applied atomically; a deletion must match the stored RRset
//!   exactly, or the whole change fails with 412 `conditionNotMet`)
//!
//! The guard is the server's: the deletion names the RRset exactly as read, so a change made in
//! between makes the change fail (412, or 409 `alreadyExists` for an addition) and nothing is
//! written: reported as a conflict. Only public zones are used.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RData};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response, short};
use super::sign;
use super::text::{parse_presentation, presentation};
use super::{
    Applied, Capabilities, Guard, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, same_values,
};

/// The documented endpoint.
pub const ENDPOINT: &str = "https://dns.googleapis.com/dns/v1";
/// Pages of zones read at most.
pub const MAX_PAGES: usize = 100;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    guard: Guard::Atomic,
    ..Capabilities::READ_WRITE
};

/// `type = "gcloud"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The service account's JSON key.
    pub service_account_key: SecretRef,
    /// The project (default: the key's `project_id`).
    #[serde(default)]
    pub project: Option<String>,
    /// HTTP settings (`http.endpoint` replaces the DNS API base).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct GoogleCloudDns {
    http: Http,
    settings: HttpSettings,
    project: String,
    client_email: String,
    token_uri: reqwest::Url,
    pkcs8: Secret,
    token: Mutex<Option<(Secret, Instant)>>,
    zones: Mutex<Vec<(Name, String)>>,
}

/// The fields of a service-account key dnsup uses.
#[derive(Deserialize)]
struct Key {
    #[serde(rename = "type")]
    kind: String,
    project_id: Option<String>,
    private_key: String,
    client_email: String,
    token_uri: String,
}

/// The message of an error body (`{"error": {"message", "errors": [{"reason"}]}}`, or OAuth's
/// `{"error", "error_description"}`).
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        let d = v
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("");
        return short(&format!("{e}: {d}"));
    }
    let msg = v
        .pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap_or("");
    match v.pointer("/error/errors/0/reason").and_then(Value::as_str) {
        Some(r) => short(&format!("{r}: {msg}")),
        None => short(msg),
    }
}

/// The access token and its lifetime of a token answer.
pub fn parse_token(r: &Response) -> Result<(String, u64), ProviderError> {
    let v: Value = r.json()?;
    match (
        v.get("access_token").and_then(Value::as_str),
        v.get("expires_in").and_then(Value::as_u64),
    ) {
        (Some(t), Some(e)) if !t.is_empty() => Ok((t.to_string(), e)),
        _ => Err(ProviderError::Protocol(format!(
            "{}: no access_token or expires_in",
            r.what
        ))),
    }
}

/// A page of public zones (DNS name, zone name) and the next page's token.
pub type ZonePage = (Vec<(Name, String)>, Option<String>);

/// The public zones of a `managedZones` page, and its next page token.
pub fn parse_zones(r: &Response) -> Result<ZonePage, ProviderError> {
    let v: Value = r.json()?;
    let mut out = Vec::new();
    for z in v
        .get("managedZones")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let s = |k: &str| z.get(k).and_then(Value::as_str);
        if s("visibility").is_some_and(|v| v != "public") {
            continue;
        }
        let (Some(dns), Some(name)) = (s("dnsName"), s("name")) else {
            return Err(ProviderError::Protocol(format!(
                "{}: a zone without dnsName or name",
                r.what
            )));
        };
        let n = Name::from_ascii(dns)
            .map_err(|e| ProviderError::Protocol(format!("{}: dnsName {dns:?}: {e}", r.what)))?;
        out.push((n, name.to_string()));
    }
    let next = v
        .get("nextPageToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    Ok((out, next))
}

/// The RRset of `key` in an `rrsets` listing, as stored (TTL and `rrdatas`), if any.
pub fn parse_rrset(
    r: &Response,
    key: &RrsetKey,
) -> Result<Option<(u32, Vec<String>)>, ProviderError> {
    let v: Value = r.json()?;
    let bad = || ProviderError::Protocol(format!("{}: an RRset missing a field", r.what));
    for s in v
        .get("rrsets")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let n = s.get("name").and_then(Value::as_str).ok_or_else(bad)?;
        let t = s.get("type").and_then(Value::as_str).ok_or_else(bad)?;
        if !n.eq_ignore_ascii_case(&key.name.to_ascii())
            || !t.eq_ignore_ascii_case(&key.rtype.to_string())
        {
            continue;
        }
        let ttl = s
            .get("ttl")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(bad)?;
        let datas = s
            .get("rrdatas")
            .and_then(Value::as_array)
            .ok_or_else(bad)?
            .iter()
            .map(|x| x.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<Result<_, _>>()?;
        return Ok(Some((ttl, datas)));
    }
    Ok(None)
}

impl GoogleCloudDns {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([json], http) = Http::configured(
            setup,
            [(&c.service_account_key, "service_account_key")],
            &c.http,
            Duration::from_millis(100),
        )?;
        let key: Key = serde_json::from_str(json.expose()).map_err(|e| {
            format!(
                "gcloud: service_account_key is not a service-account JSON key (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        if key.kind != "service_account" {
            return Err(format!(
                "gcloud: service_account_key is of type {:?}, not \"service_account\"",
                key.kind
            ));
        }
        let pkcs8 = sign::pkcs8_der(&key.private_key).map_err(|e| format!("gcloud: {e}"))?;
        // Check the key now, not at the first update.
        sign::google_jwt(&pkcs8, "check", "check", "check", 0)
            .map_err(|e| format!("gcloud: {e}"))?;
        let token_uri = reqwest::Url::parse(&key.token_uri)
            .ok()
            .filter(|u| u.scheme() == "https")
            .ok_or_else(|| format!("gcloud: token_uri {:?} is not an https URL", key.token_uri))?;
        let project = c
            .project
            .clone()
            .or(key.project_id)
            .filter(|p| !p.trim().is_empty())
            .ok_or("gcloud: no project (set project, or use a key with project_id)")?;
        use base64::Engine;
        Ok(GoogleCloudDns {
            http,
            settings: c.http.clone(),
            project: project.trim().to_string(),
            client_email: key.client_email,
            token_uri,
            pkcs8: Secret::new(base64::engine::general_purpose::STANDARD.encode(pkcs8)),
            token: Mutex::new(None),
            zones: Mutex::new(Vec::new()),
        })
    }

    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        let mut all = vec!["projects", self.project.as_str()];
        all.extend_from_slice(segments);
        http::endpoint_url(&self.settings, ENDPOINT, &all)
    }

    /// A valid access token (a new one when none is held or it expires within a minute).
    async fn token(&self) -> Result<Secret, ProviderError> {
        if let Some((t, until)) = &*self.token.lock().unwrap_or_else(|p| p.into_inner())
            && Instant::now() + Duration::from_secs(60) < *until
        {
            return Ok(t.clone());
        }
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(self.pkcs8.expose())
            .map_err(|_| ProviderError::Protocol("gcloud: key".into()))?;
        let jwt = sign::google_jwt(
            &der,
            &self.client_email,
            sign::GOOGLE_DNS_SCOPE,
            self.token_uri.as_str(),
            sign::unix_now(),
        )
        .map_err(|e| ProviderError::Auth(format!("gcloud: {e}")))?;
        let req = Request::new(Method::POST, self.token_uri.clone()).form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &jwt),
        ]);
        let r = self.http.send(&req).await?;
        if !r.ok() {
            // OAuth answers a refused grant with 400 `invalid_grant`: credentials.
            return Err(match self.http.fail(&r, error_detail) {
                ProviderError::Refused(m) => ProviderError::Auth(m),
                e => e,
            });
        }
        let (token, expires) = parse_token(&r)?;
        let token = Secret::new(token);
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some((
            token.clone(),
            Instant::now() + Duration::from_secs(expires.min(86_400)),
        ));
        Ok(token)
    }

    async fn send(&self, request: Request) -> Result<Response, ProviderError> {
        let token = self.token().await?;
        let resp = self.http.send(&request.bearer(&token)).await?;
        if !resp.ok() {
            return Err(self.http.fail(&resp, error_detail));
        }
        Ok(resp)
    }

    async fn zone_list(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut req = Request::new(Method::GET, self.url(&["managedZones"])?);
            if let Some(t) = &token {
                req = req.query(&[("pageToken", t)]);
            }
            let (zones, next) = parse_zones(&self.send(req).await?)?;
            all.extend(zones);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        *self.zones.lock().unwrap_or_else(|p| p.into_inner()) = all.clone();
        Ok(all)
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        let find = |list: &[(Name, String)]| {
            list.iter()
                .find(|(n, _)| n == zone)
                .map(|(_, id)| id.clone())
        };
        if let Some(id) = find(&self.zones.lock().unwrap_or_else(|p| p.into_inner())) {
            return Ok(id);
        }
        find(&self.zone_list().await?).ok_or_else(|| {
            ProviderError::Refused(format!("gcloud: no public managed zone is {zone}"))
        })
    }

    async fn get(
        &self,
        zone_id: &str,
        key: &RrsetKey,
    ) -> Result<Option<(u32, Vec<String>)>, ProviderError> {
        let req =
            Request::new(Method::GET, self.url(&["managedZones", zone_id, "rrsets"])?).query(&[
                ("name", &key.name.to_ascii()),
                ("type", &key.rtype.to_string()),
            ]);
        parse_rrset(&self.send(req).await?, key)
    }

    fn rrset(
        stored: &Option<(u32, Vec<String>)>,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Rrset, ProviderError> {
        Ok(match stored {
            None => Rrset::default(),
            Some((ttl, datas)) => Rrset {
                ttl: Some(*ttl),
                values: datas
                    .iter()
                    .map(|t| parse_presentation(key.rtype, t, zone))
                    .collect::<Result<_, _>>()?,
            },
        })
    }
}

impl Provider for GoogleCloudDns {
    fn label(&self) -> String {
        "gcloud".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones: Vec<Name> = self
            .zone_list()
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no public managed zone of project {} holds {name} ({} zones listed)",
                self.project,
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let id = self.zone_id(zone).await?;
        Self::rrset(&self.get(&id, key).await?, zone, key)
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let id = self.zone_id(zone).await?;
        let stored = self.get(&id, key).await?;
        let actual = Self::rrset(&stored, zone, key)?;
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        if stored.is_none() && new.is_empty() {
            return Ok(Applied::Done);
        }
        if !new.is_empty() && same_values(&actual.values, new) && actual.ttl == Some(ttl) {
            return Ok(Applied::Done);
        }
        let set = |ttl: u32, datas: Vec<String>| {
            json!({"kind": "dns#resourceRecordSet", "name": key.name.to_ascii(),
                   "type": key.rtype.to_string(), "ttl": ttl, "rrdatas": datas})
        };
        let deletions: Vec<Value> = stored.into_iter().map(|(t, d)| set(t, d)).collect();
        let mut datas: Vec<String> = new.iter().map(presentation).collect();
        datas.sort();
        datas.dedup();
        let additions: Vec<Value> = if new.is_empty() {
            vec![]
        } else {
            vec![set(ttl, datas)]
        };
        let body = json!({"kind": "dns#change", "additions": additions, "deletions": deletions});
        let req =
            Request::new(Method::POST, self.url(&["managedZones", &id, "changes"])?).json(&body);
        match self.send(req).await {
            Ok(_) => Ok(Applied::Done),
            // The exact deletion no longer matched, or the addition exists: changed meanwhile.
            Err(ProviderError::Refused(m)) if m.contains("HTTP 412") || m.contains("HTTP 409") => {
                Ok(Applied::Conflict(format!(
                    "{key} changed at Google Cloud DNS since it was read: {m}"
                )))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(
                br#"{"error":{"code":412,"message":"Precondition not met for 'entity.change.deletions[0]'","errors":[{"domain":"global","reason":"conditionNotMet","message":"x"}]}}"#
            ),
            "conditionNotMet: Precondition not met for 'entity.change.deletions[0]'"
        );
        assert_eq!(
            error_detail(
                br#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#
            ),
            "invalid_grant: Invalid JWT Signature."
        );
        let r = |body: &str| Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET x".into(),
        };
        let (zones, next) = parse_zones(&r(
            r#"{"managedZones":[{"name":"my-zone","dnsName":"example.com.","visibility":"public"},{"name":"in","dnsName":"corp.internal.","visibility":"private"}],"nextPageToken":"abc"}"#,
        ))
        .unwrap();
        assert_eq!((zones.len(), next.as_deref()), (1, Some("abc")));
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: hickory_proto::rr::RecordType::A,
        };
        let set = parse_rrset(
            &r(r#"{"rrsets":[{"kind":"dns#resourceRecordSet","name":"www.example.com.","type":"A","ttl":300,"rrdatas":["192.0.2.1"]}]}"#),
            &key,
        )
        .unwrap();
        assert_eq!(set, Some((300, vec!["192.0.2.1".to_string()])));
        assert_eq!(
            parse_token(&r(
                r#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#
            ))
            .unwrap()
            .1,
            3599
        );
    }
}
