//! Azure DNS through Azure Resource Manager (`https://management.azure.com`, api-version
//! `2018-05-01`), authorised by a Microsoft Entra ID application: its tenant id, client id
//! and client secret buy an OAuth2 access token (client-credentials grant, scope
//! `https://management.azure.com/.default`), kept until five minutes before it expires.
//!
//! RRset-based: a record set lives at
//! `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}/{TYPE}/{relative}`;
//! `GET` reads it (404: absent) with its `etag`, `PUT` creates or replaces it, `DELETE`
//! removes it; the zones are those of the resource group (`.../dnsZones`, paged by
//! `nextLink`). Every write carries the ETag of what was read (`If-Match`) or
//! `If-None-Match: *` for a new record set, so a change made in between fails with 412 and
//! nothing is written: the guard is the server's, reported as a conflict.
//!
//! Documentation followed:
//! - <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow>
//!   (the token request: `client_id`, `scope`, `client_secret`,
//!   `grant_type=client_credentials`; the answer `access_token`, `expires_in`; errors
//!   `{"error", "error_description"}`)
//! - <https://learn.microsoft.com/en-us/rest/api/dns/record-sets/create-or-update> (`If-Match`,
//!   `If-None-Match: *`, `properties.TTL`, `ARecords`, `AAAARecords`, `CNAMERecord`,
//!   `TXTRecords`), <https://learn.microsoft.com/en-us/rest/api/dns/recordsets/delete>
//!   (`If-Match`; 200 deleted, 204 not found), <https://learn.microsoft.com/en-us/rest/api/dns/zones/list>
//!   (`value`, `nextLink`); `Zones_ListByResourceGroup` and the property names as in the
//!   2018-05-01 REST specification (`Azure/azure-rest-api-specs`, `dns.json`).
//!
//! A, AAAA, CNAME and TXT (each TXT string UTF-8, as JSON holds it). Alias record sets
//! (`targetResource`) are left alone. Public zones only.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_proto::rr::rdata::{A, AAAA, CNAME, TXT};
use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_rrset::{Held, RrsetApi};
use super::{
    Capabilities, Guard, ProviderError, Rrset, RrsetKey, Secret, SecretRef, relative_name,
};

/// The documented Resource Manager endpoint.
pub const ENDPOINT: &str = "https://management.azure.com";
/// The documented Microsoft Entra ID authority (the token URL is
/// `{authority}/{tenant}/oauth2/v2.0/token`).
pub const AUTHORITY: &str = "https://login.microsoftonline.com";
/// The scope of the token: Azure Resource Manager.
pub const SCOPE: &str = "https://management.azure.com/.default";
/// The API version every request names.
pub const API_VERSION: &str = "2018-05-01";
/// Pages of zones read at most.
pub const MAX_PAGES: usize = 100;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    guard: Guard::Atomic,
    types: &[
        RecordType::A,
        RecordType::AAAA,
        RecordType::CNAME,
        RecordType::TXT,
    ],
    ..Capabilities::READ_WRITE
};

/// `type = "azure"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The directory (tenant) id of the Entra ID application.
    pub tenant_id: String,
    /// The application (client) id.
    pub client_id: String,
    /// One of the application's client secrets.
    pub client_secret: SecretRef,
    /// The subscription holding the DNS zones.
    pub subscription_id: String,
    /// The resource group holding the DNS zones.
    pub resource_group: String,
    /// The Entra ID authority (default `https://login.microsoftonline.com`).
    #[serde(default)]
    pub authority: Option<String>,
    /// HTTP settings (`http.endpoint` replaces `https://management.azure.com`).
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Azure {
    http: Http,
    settings: HttpSettings,
    token_url: reqwest::Url,
    client_id: String,
    client_secret: Secret,
    subscription: String,
    group: String,
    token: Mutex<Option<(Secret, Instant)>>,
}

/// The message of an error body: Resource Manager's `{"error": {"code", "message"}}` or the
/// token endpoint's `{"error", "error_description"}`.
pub fn error_detail(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("");
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        return short(&format!("{e}: {}", s("/error_description")));
    }
    match (s("/error/code"), s("/error/message")) {
        ("", "") => String::new(),
        (c, m) => short(&format!("{c}: {m}")),
    }
}

/// The access token and its lifetime in seconds of a token answer (`expires_in` a number,
/// or a string as the v1 endpoint gave it).
pub fn parse_token(r: &Response) -> Result<(String, u64), ProviderError> {
    let v: Value = r.json()?;
    let expires = match v.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match (v.get("access_token").and_then(Value::as_str), expires) {
        (Some(t), Some(e)) if !t.is_empty() => Ok((t.to_string(), e)),
        _ => Err(ProviderError::Protocol(format!(
            "{}: no access_token or expires_in",
            r.what
        ))),
    }
}

/// A page of the resource group's zones: the public ones, and the next page's link.
pub fn parse_zones(r: &Response) -> Result<(Vec<Name>, Option<String>), ProviderError> {
    let v: Value = r.json()?;
    let mut out = Vec::new();
    for z in v
        .get("value")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if z.pointer("/properties/zoneType")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.eq_ignore_ascii_case("public"))
        {
            continue;
        }
        let name = z
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Protocol(format!("{}: a zone without a name", r.what)))?;
        let n = Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
            .map_err(|e| ProviderError::Protocol(format!("{}: zone {name:?}: {e}", r.what)))?;
        out.push(n);
    }
    let next = v
        .get("nextLink")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .map(str::to_string);
    Ok((out, next))
}

/// A record set (`GET`, 2xx) of `key`: its values, TTL and ETag.
pub fn parse_record_set(r: &Response, key: &RrsetKey) -> Result<Held<String>, ProviderError> {
    let v: Value = r.json()?;
    let bad = |what: &str| ProviderError::Protocol(format!("{}: {key}: {what}", r.what));
    let etag = v
        .get("etag")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| bad("no etag"))?
        .to_string();
    let p = v.get("properties").ok_or_else(|| bad("no properties"))?;
    if p.pointer("/targetResource/id")
        .and_then(Value::as_str)
        .is_some_and(|id| !id.is_empty())
    {
        return Err(ProviderError::Unsupported(format!(
            "{key} is an Azure alias record set (targetResource); dnsup leaves it alone"
        )));
    }
    let list = |field: &str| -> Vec<Value> {
        p.get(field)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let text = |item: &Value, field: &str| -> Result<String, ProviderError> {
        item.get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(&format!("a record without {field}")))
    };
    let mut values = Vec::new();
    match key.rtype {
        RecordType::A => {
            for item in list("ARecords") {
                let t = text(&item, "ipv4Address")?;
                let ip: Ipv4Addr = t.parse().map_err(|_| bad(&format!("{t:?} is not IPv4")))?;
                values.push(RData::A(A(ip)));
            }
        }
        RecordType::AAAA => {
            for item in list("AAAARecords") {
                let t = text(&item, "ipv6Address")?;
                let ip: Ipv6Addr = t.parse().map_err(|_| bad(&format!("{t:?} is not IPv6")))?;
                values.push(RData::AAAA(AAAA(ip)));
            }
        }
        RecordType::CNAME => {
            if let Some(c) = p.get("CNAMERecord").filter(|c| !c.is_null()) {
                let t = text(c, "cname")?;
                let name = Name::from_ascii(format!("{}.", t.trim_end_matches('.')))
                    .map_err(|e| bad(&format!("cname {t:?}: {e}")))?;
                values.push(RData::CNAME(CNAME(name)));
            }
        }
        RecordType::TXT => {
            for item in list("TXTRecords") {
                let strings = item
                    .get("value")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("a TXT record without value"))?
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| bad("a TXT value that is not a string"))?;
                if strings.iter().any(|s| s.len() > 255) {
                    return Err(bad("a TXT string longer than 255 bytes"));
                }
                values.push(RData::TXT(TXT::new(strings)));
            }
        }
        other => {
            return Err(ProviderError::Unsupported(format!(
                "{key}: dnsup does not manage {other} record sets at Azure"
            )));
        }
    }
    let ttl = p
        .get("TTL")
        .and_then(Value::as_u64)
        .and_then(|t| u32::try_from(t).ok());
    if !values.is_empty() && ttl.is_none() {
        return Err(bad("no TTL"));
    }
    Ok(Held {
        rrset: Rrset {
            ttl: ttl.filter(|_| !values.is_empty()),
            values,
        },
        handle: etag,
    })
}

/// The body of a `PUT` making `key` hold `values` with `ttl`.
pub fn record_set_body(key: &RrsetKey, values: &[RData], ttl: u32) -> Result<Value, ProviderError> {
    let unsupported = || {
        ProviderError::Unsupported(format!(
            "{key}: Azure DNS record sets of this type hold only A, AAAA, CNAME or TXT values"
        ))
    };
    let mut props = serde_json::Map::new();
    props.insert("TTL".into(), json!(ttl));
    match key.rtype {
        RecordType::A => {
            let v: Vec<Value> = values
                .iter()
                .map(|x| match x {
                    RData::A(a) => Ok(json!({"ipv4Address": a.0.to_string()})),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?;
            props.insert("ARecords".into(), Value::Array(v));
        }
        RecordType::AAAA => {
            let v: Vec<Value> = values
                .iter()
                .map(|x| match x {
                    RData::AAAA(a) => Ok(json!({"ipv6Address": a.0.to_string()})),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?;
            props.insert("AAAARecords".into(), Value::Array(v));
        }
        RecordType::CNAME => {
            let [RData::CNAME(c)] = values else {
                return Err(ProviderError::Unsupported(format!(
                    "{key}: a CNAME record set holds one name"
                )));
            };
            let target = c.0.to_ascii();
            let target = target.strip_suffix('.').unwrap_or(&target);
            props.insert("CNAMERecord".into(), json!({ "cname": target }));
        }
        RecordType::TXT => {
            let mut v = Vec::with_capacity(values.len());
            for x in values {
                let RData::TXT(t) = x else {
                    return Err(unsupported());
                };
                let strings = t
                    .txt_data
                    .iter()
                    .map(|s| String::from_utf8(s.to_vec()))
                    .collect::<Result<Vec<String>, _>>()
                    .map_err(|_| {
                        ProviderError::Unsupported(format!(
                            "{key}: Azure takes TXT strings as JSON text; this one is not UTF-8"
                        ))
                    })?;
                v.push(json!({ "value": strings }));
            }
            props.insert("TXTRecords".into(), Value::Array(v));
        }
        _ => return Err(unsupported()),
    }
    Ok(json!({ "properties": Value::Object(props) }))
}

impl Azure {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        let ([client_secret], http) = Http::configured(
            setup,
            [(&c.client_secret, "client_secret")],
            &c.http,
            Duration::from_millis(100),
        )?;
        for (value, what) in [
            (&c.tenant_id, "tenant_id"),
            (&c.client_id, "client_id"),
            (&c.subscription_id, "subscription_id"),
            (&c.resource_group, "resource_group"),
        ] {
            if value.trim().is_empty() || value.contains('/') {
                return Err(format!(
                    "azure: {what} {value:?} is empty or holds a '/' (copy it from the Azure portal)"
                ));
            }
        }
        let authority = c.authority.as_deref().unwrap_or(AUTHORITY);
        let token_url = reqwest::Url::parse(&format!(
            "{}/{}/oauth2/v2.0/token",
            authority.trim_end_matches('/'),
            c.tenant_id.trim()
        ))
        .ok()
        .filter(|u| u.scheme() == "https")
        .ok_or_else(|| format!("azure: authority {authority:?} is not an https URL"))?;
        Ok(Azure {
            http,
            settings: c.http.clone(),
            token_url,
            client_id: c.client_id.trim().to_string(),
            client_secret,
            subscription: c.subscription_id.trim().to_string(),
            group: c.resource_group.trim().to_string(),
            token: Mutex::new(None),
        })
    }

    /// The URL of the resource group's `dnsZones` with `segments` appended and the API version.
    fn url(&self, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
        let mut all = vec![
            "subscriptions",
            self.subscription.as_str(),
            "resourceGroups",
            self.group.as_str(),
            "providers",
            "Microsoft.Network",
            "dnsZones",
        ];
        all.extend_from_slice(segments);
        let mut url = endpoint_url(&self.settings, ENDPOINT, &all)?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        Ok(url)
    }

    fn record_set_url(&self, zone: &Name, key: &RrsetKey) -> Result<reqwest::Url, ProviderError> {
        let zone_name = zone.to_ascii();
        self.url(&[
            zone_name.trim_end_matches('.'),
            &key.rtype.to_string(),
            &relative_name(&key.name, zone),
        ])
    }

    /// A valid access token (a new one when none is held or it expires within 5 minutes).
    async fn token(&self) -> Result<Secret, ProviderError> {
        if let Some((t, until)) = &*self.token.lock().unwrap_or_else(|p| p.into_inner())
            && Instant::now() + Duration::from_secs(300) < *until
        {
            return Ok(t.clone());
        }
        let req = Request::new(Method::POST, self.token_url.clone()).form(&[
            ("client_id", &self.client_id),
            ("scope", SCOPE),
            ("client_secret", self.client_secret.expose()),
            ("grant_type", "client_credentials"),
        ]);
        let r = self.http.send(&req).await?;
        if !r.ok() {
            // A refused secret or client is 400/401 `invalid_client`: credentials.
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

    /// Send `request` with the token; a non-2xx answer is an error (404 too when `found` is
    /// false), 404 is `None` when `found`.
    async fn send(&self, request: Request, found: bool) -> Result<Option<Response>, ProviderError> {
        let token = self.token().await?;
        let r = self.http.send(&request.bearer(&token)).await?;
        if found && r.status == 404 {
            return Ok(None);
        }
        if !r.ok() {
            if r.status == 401 {
                // Revoked or expired early: the next call asks for a new one.
                *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            return Err(self.http.fail(&r, error_detail));
        }
        Ok(Some(r))
    }

    /// Whether `link` (a `nextLink`) is on the configured endpoint: the token goes nowhere else.
    fn same_origin(&self, link: &reqwest::Url) -> Result<bool, ProviderError> {
        let base = endpoint_url(&self.settings, ENDPOINT, &[])?;
        Ok(base.origin() == link.origin())
    }
}

impl RrsetApi for Azure {
    const LABEL: &'static str = "azure";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    type Handle = String;

    fn name(&self) -> &'static str {
        "Azure DNS"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        let mut all = Vec::new();
        let mut url = self.url(&[])?;
        for _ in 0..MAX_PAGES {
            let r = self
                .send(Request::new(Method::GET, url.clone()), false)
                .await?
                .ok_or_else(|| ProviderError::Protocol("azure: no zone listing".into()))?;
            let (zones, next) = parse_zones(&r)?;
            all.extend(zones);
            let Some(link) = next else { break };
            let link = reqwest::Url::parse(&link).map_err(|_| {
                ProviderError::Protocol(format!("{}: nextLink is not a URL", r.what))
            })?;
            if !self.same_origin(&link)? {
                return Err(ProviderError::Protocol(format!(
                    "{}: nextLink points away from the Resource Manager endpoint",
                    r.what
                )));
            }
            url = link;
        }
        Ok(all)
    }

    async fn fetch(
        &self,
        zone: &Name,
        key: &RrsetKey,
    ) -> Result<Option<Held<String>>, ProviderError> {
        let req = Request::new(Method::GET, self.record_set_url(zone, key)?);
        match self.send(req, true).await? {
            Some(r) => Ok(Some(parse_record_set(&r, key)?)),
            None => Ok(None),
        }
    }

    async fn write(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: Option<&Held<String>>,
        new: &[RData],
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let body = record_set_body(key, new, ttl)?;
        let req = Request::new(Method::PUT, self.record_set_url(zone, key)?).json(&body);
        let req = match held {
            Some(h) => req.header("if-match", h.handle.clone()),
            None => req.header("if-none-match", "*"),
        };
        self.send(req, false).await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        key: &RrsetKey,
        held: &Held<String>,
    ) -> Result<(), ProviderError> {
        let req = Request::new(Method::DELETE, self.record_set_url(zone, key)?)
            .header("if-match", held.handle.clone());
        self.send(req, false).await?;
        Ok(())
    }

    fn changed_meanwhile(error: &ProviderError) -> bool {
        // The ETag no longer matched (or the record set now exists): 412 Precondition Failed.
        matches!(error, ProviderError::Refused(m) if m.contains("answered HTTP 412"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET x".into(),
        }
    }

    fn key(rtype: RecordType) -> RrsetKey {
        RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype,
        }
    }

    #[test]
    fn documented_shapes_parse() {
        assert_eq!(
            error_detail(
                br#"{"error":{"code":"PreconditionFailed","message":"The condition 'etag' in the If-Match header was not satisfied."}}"#
            ),
            "PreconditionFailed: The condition 'etag' in the If-Match header was not satisfied."
        );
        assert_eq!(
            error_detail(
                br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#
            ),
            "invalid_client: AADSTS7000215: Invalid client secret provided."
        );
        let (t, e) = parse_token(&r(
            200,
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAi"}"#,
        ))
        .unwrap();
        assert_eq!((t.as_str(), e), ("eyJ0eXAi", 3599));
        assert_eq!(
            parse_token(&r(200, r#"{"expires_in":"3599","access_token":"x"}"#))
                .unwrap()
                .1,
            3599
        );
        let (zones, next) = parse_zones(&r(
            200,
            r#"{"nextLink":"https://management.azure.com/x?$skipToken=1","value":[{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnsZones/zone1.com","etag":"0","location":"global","name":"zone1.com","type":"Microsoft.Network/dnsZones","properties":{"maxNumberOfRecordSets":5000,"nameServers":["ns1-01.azure-dns.com."],"numberOfRecordSets":2,"zoneType":"Public"}},{"name":"corp.internal","properties":{"zoneType":"Private"}}]}"#,
        ))
        .unwrap();
        assert_eq!(zones, [Name::from_ascii("zone1.com.").unwrap()]);
        assert!(next.is_some());
        let held = parse_record_set(
            &r(
                200,
                r#"{"id":"x","name":"www","type":"Microsoft.Network/dnsZones/A","etag":"abc-1","properties":{"TTL":3600,"fqdn":"www.example.com.","ARecords":[{"ipv4Address":"127.0.0.1"}]}}"#,
            ),
            &key(RecordType::A),
        )
        .unwrap();
        assert_eq!(
            (held.rrset.ttl, held.handle.as_str()),
            (Some(3600), "abc-1")
        );
        let held = parse_record_set(
            &r(
                200,
                r#"{"etag":"e","properties":{"TTL":60,"TXTRecords":[{"value":["a b","c"]}]}}"#,
            ),
            &key(RecordType::TXT),
        )
        .unwrap();
        assert_eq!(held.rrset.values.len(), 1);
        // An empty record set exists (it has an ETag) but holds nothing.
        let held = parse_record_set(
            &r(200, r#"{"etag":"e","properties":{"TTL":60,"ARecords":[]}}"#),
            &key(RecordType::A),
        )
        .unwrap();
        assert_eq!(held.rrset, Rrset::default());
        assert!(matches!(
            parse_record_set(
                &r(
                    200,
                    r#"{"etag":"e","properties":{"TTL":60,"targetResource":{"id":"/sub/x"}}}"#
                ),
                &key(RecordType::A),
            ),
            Err(ProviderError::Unsupported(_))
        ));
        let body = record_set_body(
            &key(RecordType::CNAME),
            &[RData::CNAME(CNAME(
                Name::from_ascii("target.example.net.").unwrap(),
            ))],
            300,
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"properties": {"TTL": 300, "CNAMERecord": {"cname": "target.example.net"}}})
        );
    }
}
