//! Amazon Route 53 through its REST XML API (version 2013-04-01), signed with AWS Signature
//! Version 4 (region `us-east-1`, service `route53`).
//!
//! Documentation followed:
//! - <https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZones.html>
//! - <https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html>
//! - <https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html>
//! - <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat>
//!   (TXT values: quoted strings, `\"`, `\\` and `\ooo` octal escapes)
//! - <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>
//!   (names: lower case, `\ooo` octal escapes such as `\052` for `*`)
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>
//!   and the Signature Version 4 test suite (known answers in the tests below)
//!
//! The guard is atomic: a change batch that DELETEs the RRset exactly as it was read (name,
//! type, TTL and every value) and CREATEs the new one is applied all or nothing, and fails
//! with `InvalidChangeBatch` when the RRset no longer matches: that is a conflict.

use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, RecordType};
use serde::Deserialize;

use super::build::Setup;
use super::http::{self, Http, HttpSettings, Request, Response};
use super::sign::{self, Utc};
use super::text::{self, Escape};
use super::{
    Applied, Capabilities, Guard, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, same_values,
};

/// The documented endpoint.
pub const ENDPOINT: &str = "https://route53.amazonaws.com";
/// Route 53 is a global service signed for `us-east-1`.
pub const REGION: &str = "us-east-1";
/// The SigV4 service name.
pub const SERVICE: &str = "route53";
/// The XML namespace of requests.
pub const XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// `type = "route53"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The access key id (`AKIA...`); not a secret by itself.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretRef,
    /// A session token, for temporary credentials (STS).
    pub session_token: Option<SecretRef>,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// The adapter.
#[derive(Debug)]
pub struct Route53 {
    http: Http,
    settings: HttpSettings,
    access_key_id: String,
    secret: Secret,
    token: Option<Secret>,
    zones: Mutex<Option<Vec<(Name, String)>>>,
}

impl Route53 {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.access_key_id.trim().is_empty() {
            return Err("route53: access_key_id is empty".into());
        }
        let secret = setup.secret(&c.secret_access_key, "secret_access_key")?;
        let token = match &c.session_token {
            Some(t) => Some(setup.secret(t, "session_token")?),
            None => None,
        };
        let mut secrets = vec![secret.clone()];
        secrets.extend(token.clone());
        // Route 53 allows five requests per second per account.
        let http = Http::new(&c.http, Duration::from_millis(250), secrets, false)?;
        Ok(Route53 {
            http,
            settings: c.http.clone(),
            access_key_id: c.access_key_id.trim().to_string(),
            secret,
            token,
            zones: Mutex::new(None),
        })
    }

    fn url(&self, path: &str, query: &[(String, String)]) -> Result<reqwest::Url, ProviderError> {
        let mut url = http::endpoint(&self.settings, ENDPOINT, path)?;
        if !query.is_empty() {
            url.set_query(Some(&sign::encode_query(query)));
        }
        Ok(url)
    }

    async fn send(&self, request: Request) -> Result<Response, ProviderError> {
        self.http
            .send_signed(&request, |r| {
                let creds = Credentials {
                    access_key_id: &self.access_key_id,
                    secret_access_key: self.secret.expose(),
                    session_token: self.token.as_ref().map(Secret::expose),
                };
                sign_request(r, &creds, sign::unix_now())
            })
            .await
    }

    async fn zones(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        if let Some(z) = self.zones.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(z);
        }
        let mut zones: Vec<(Name, String, bool)> = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..1000 {
            let mut query = vec![("maxitems".to_string(), "100".to_string())];
            if let Some(m) = &marker {
                query.push(("marker".to_string(), m.clone()));
            }
            let url = self.url("/2013-04-01/hostedzone", &query)?;
            let resp = self.send(Request::new(reqwest::Method::GET, url)).await?;
            if !resp.ok() {
                return Err(api_error(&resp));
            }
            let page = parse_hosted_zones(&resp.body).map_err(|e| bad_answer(&resp, &e))?;
            zones.extend(page.zones);
            match (page.truncated, page.next_marker) {
                (true, Some(m)) => marker = Some(m),
                _ => break,
            }
        }
        // One name may be both a public and a private zone: the public one is what the
        // world sees, so it wins.
        let out = public_first(zones);
        *self.zones.lock().unwrap_or_else(|p| p.into_inner()) = Some(out.clone());
        Ok(out)
    }

    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        self.zones()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ProviderError::Refused(format!("route53: no hosted zone {zone} in this account"))
            })
    }

    /// The RRset as served: TTL and the values in Route 53's own text.
    async fn read_raw(&self, id: &str, key: &RrsetKey) -> Result<Option<RawSet>, ProviderError> {
        let query = vec![
            ("name".to_string(), key.name.to_ascii()),
            ("type".to_string(), key.rtype.to_string()),
            ("maxitems".to_string(), "1".to_string()),
        ];
        let url = self.url(&format!("/2013-04-01/hostedzone/{id}/rrset"), &query)?;
        let resp = self.send(Request::new(reqwest::Method::GET, url)).await?;
        if !resp.ok() {
            return Err(api_error(&resp));
        }
        let sets = parse_record_sets(&resp.body).map_err(|e| bad_answer(&resp, &e))?;
        first_set(sets, key)
    }
}

/// One entry per zone name, the public zone where a name is both public and private (the one
/// the world sees).
pub(crate) fn public_first(mut zones: Vec<(Name, String, bool)>) -> Vec<(Name, String)> {
    zones.sort_by_key(|(_, _, private)| *private);
    let mut out: Vec<(Name, String)> = Vec::new();
    for (name, id, _) in zones {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, id));
        }
    }
    out
}

/// `key`'s record set in a listing that starts at it (`maxitems=1`): the list starts at (name,
/// type) when it exists, else at the next set in order.
pub(crate) fn first_set(
    sets: Vec<RawSet>,
    key: &RrsetKey,
) -> Result<Option<RawSet>, ProviderError> {
    let Some(first) = sets.into_iter().next() else {
        return Ok(None);
    };
    let same_name = decode_name(&first.name).is_some_and(|n| n == key.name);
    if !same_name || first.rtype != key.rtype.to_string() {
        return Ok(None);
    }
    if first.routed {
        return Err(ProviderError::Unsupported(format!(
            "{key}: an alias or routing-policy record set (weighted, latency, ...), which dnsup does not manage"
        )));
    }
    Ok(Some(first))
}

/// The values of a record set as stored.
pub(crate) fn raw_values(
    raw: &RawSet,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<RData>, ProviderError> {
    raw.values
        .iter()
        .map(|v| parse_value(key.rtype, v, zone))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ProviderError::Protocol(format!("route53: {key}: {e}")))
}

/// What the answer to a change batch means: done, a conflict (Route 53 refused the batch
/// because the record set no longer holds what the DELETE names; its message passed through
/// `scrub`), or an error.
pub(crate) fn change_outcome(
    resp: &Response,
    key: &RrsetKey,
    scrub: impl Fn(&str) -> String,
) -> Result<Applied, ProviderError> {
    if resp.ok() {
        return Ok(Applied::Done);
    }
    if resp.status == 400
        && let (Some(code), message) = error_parts(&resp.body)
        && code == "InvalidChangeBatch"
    {
        return Ok(Applied::Conflict(format!(
            "route53: {key} no longer holds what was read ({})",
            scrub(&message.unwrap_or_default())
        )));
    }
    Err(api_error(resp))
}

/// One record set as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSet {
    /// Name as served (trailing dot, octal escapes).
    pub name: String,
    /// Type.
    pub rtype: String,
    /// TTL (absent for alias sets).
    pub ttl: Option<u32>,
    /// Values, as served.
    pub values: Vec<String>,
    /// An alias target or a routing policy (SetIdentifier) is present.
    pub routed: bool,
}

pub(crate) fn bad_answer(resp: &Response, why: &str) -> ProviderError {
    ProviderError::Protocol(format!("{}: unexpected answer ({why})", resp.what))
}

/// The error of a non-2xx answer: `<ErrorResponse><Error><Code>` or `<InvalidChangeBatch>`.
pub fn api_error(resp: &Response) -> ProviderError {
    let (code, message) = error_parts(&resp.body);
    let detail = match (&code, &message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => String::new(),
    };
    let e = resp.error(&detail);
    let what = match &e {
        ProviderError::Auth(m) | ProviderError::Network(m) | ProviderError::Refused(m) => m.clone(),
        other => other.to_string(),
    };
    match code.as_deref() {
        Some("Throttling" | "ThrottlingException" | "PriorRequestNotComplete") => {
            ProviderError::Network(what)
        }
        Some(
            "SignatureDoesNotMatch"
            | "InvalidClientTokenId"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "ExpiredToken"
            | "AccessDenied"
            | "InvalidSignatureException",
        ) => ProviderError::Auth(what),
        _ => e,
    }
}

/// Code and message of an error body.
pub fn error_parts(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(root) = xml::parse(body) else {
        return (None, None);
    };
    match root.name.as_str() {
        "ErrorResponse" => {
            let err = root.child("Error");
            (
                err.and_then(|e| e.text_of("Code")).map(str::to_string),
                err.and_then(|e| e.text_of("Message")).map(str::to_string),
            )
        }
        "InvalidChangeBatch" => {
            let msgs: Vec<&str> = root
                .child("Messages")
                .map(|m| {
                    m.children_named("Message")
                        .map(|e| e.text.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let msg = if msgs.is_empty() {
                root.text_of("Message").map(str::to_string)
            } else {
                Some(msgs.join("; "))
            };
            (Some("InvalidChangeBatch".into()), msg)
        }
        _ => (None, None),
    }
}

/// One page of `ListHostedZones`.
#[derive(Debug, Default)]
pub struct ZonePage {
    /// (name, id without `/hostedzone/`, private).
    pub zones: Vec<(Name, String, bool)>,
    /// `IsTruncated`.
    pub truncated: bool,
    /// `NextMarker`.
    pub next_marker: Option<String>,
}

/// Parse a `ListHostedZonesResponse`.
pub fn parse_hosted_zones(body: &[u8]) -> Result<ZonePage, String> {
    let root = xml::parse(body)?;
    if root.name != "ListHostedZonesResponse" {
        return Err(format!(
            "<{}> instead of <ListHostedZonesResponse>",
            root.name
        ));
    }
    let mut page = ZonePage {
        truncated: root.text_of("IsTruncated") == Some("true"),
        next_marker: root.text_of("NextMarker").map(str::to_string),
        ..ZonePage::default()
    };
    for z in root
        .child("HostedZones")
        .into_iter()
        .flat_map(|h| h.children_named("HostedZone"))
    {
        let id = z.text_of("Id").ok_or("a hosted zone without <Id>")?;
        let id = id.trim_start_matches("/hostedzone/").to_string();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("hosted zone id {id:?}"));
        }
        let name = z.text_of("Name").ok_or("a hosted zone without <Name>")?;
        let name = decode_name(name).ok_or_else(|| format!("zone name {name:?}"))?;
        let private = z
            .child("Config")
            .and_then(|c| c.text_of("PrivateZone"))
            .is_some_and(|p| p == "true");
        page.zones.push((name, id, private));
    }
    Ok(page)
}

/// Parse a `ListResourceRecordSetsResponse`.
pub fn parse_record_sets(body: &[u8]) -> Result<Vec<RawSet>, String> {
    let root = xml::parse(body)?;
    if root.name != "ListResourceRecordSetsResponse" {
        return Err(format!(
            "<{}> instead of <ListResourceRecordSetsResponse>",
            root.name
        ));
    }
    let mut out = Vec::new();
    for s in root
        .child("ResourceRecordSets")
        .into_iter()
        .flat_map(|h| h.children_named("ResourceRecordSet"))
    {
        let name = s.text_of("Name").ok_or("a record set without <Name>")?;
        let rtype = s.text_of("Type").ok_or("a record set without <Type>")?;
        let ttl = match s.text_of("TTL") {
            Some(t) => Some(t.parse::<u32>().map_err(|_| format!("TTL {t:?}"))?),
            None => None,
        };
        let values = s
            .child("ResourceRecords")
            .into_iter()
            .flat_map(|r| r.children_named("ResourceRecord"))
            .filter_map(|r| r.text_of("Value"))
            .map(str::to_string)
            .collect();
        let routed = s.child("AliasTarget").is_some() || s.child("SetIdentifier").is_some();
        out.push(RawSet {
            name: name.to_string(),
            rtype: rtype.to_string(),
            ttl,
            values,
            routed,
        });
    }
    Ok(out)
}

/// A Route 53 name (`\ooo` octal escapes, as Route 53 writes `*` and other special
/// characters) as a DNS name.
pub fn decode_name(text: &str) -> Option<Name> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = u32::from(b[i + 1] - b'0') * 64
                + u32::from(b[i + 2] - b'0') * 8
                + u32::from(b[i + 3] - b'0');
            let c = u8::try_from(v).ok()?;
            if c == b'.' || c == b'\\' || !c.is_ascii_graphic() {
                // Keep it escaped, in hickory's decimal form.
                out.push_str(&format!("\\{c:03}"));
            } else {
                out.push(c as char);
            }
            i += 4;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    Name::from_ascii(&out).ok().map(|mut n| {
        n.set_fqdn(true);
        n
    })
}

/// A value in Route 53's text: TXT as quoted strings with `\"`, `\\` and `\ooo` escapes,
/// everything else in presentation format.
pub fn format_value(rdata: &RData) -> String {
    match rdata {
        RData::TXT(txt) => text::quoted_strings(&txt.txt_data, Escape::Octal),
        other => other.to_string(),
    }
}

/// A value in Route 53's text as RData (the inverse of [`format_value`]).
pub fn parse_value(rtype: RecordType, text: &str, zone: &Name) -> Result<RData, String> {
    if rtype == RecordType::TXT {
        let strings = txt_strings(text)?;
        return Ok(RData::TXT(TXT::from_bytes(
            strings.iter().map(Vec::as_slice).collect(),
        )));
    }
    crate::update::parse_rdata(rtype, text, zone).map_err(|e| e.to_string())
}

/// TXT character-strings in Route 53's form: quoted (or bare) strings, `\ooo` octal and
/// `\X` escapes.
fn txt_strings(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let quoted = b[i] == b'"';
        if quoted {
            i += 1;
        }
        let mut s = Vec::new();
        loop {
            if i >= b.len() {
                if quoted {
                    return Err(format!("unterminated TXT string in {text:?}"));
                }
                break;
            }
            let c = b[i];
            if quoted && c == b'"' {
                i += 1;
                break;
            }
            if !quoted && c.is_ascii_whitespace() {
                break;
            }
            if c == b'\\' {
                if i + 3 < b.len() && b[i + 1..i + 4].iter().all(|d| (b'0'..=b'7').contains(d)) {
                    let v = u32::from(b[i + 1] - b'0') * 64
                        + u32::from(b[i + 2] - b'0') * 8
                        + u32::from(b[i + 3] - b'0');
                    s.push(u8::try_from(v).map_err(|_| format!("escape in {text:?}"))?);
                    i += 4;
                    continue;
                }
                let Some(&next) = b.get(i + 1) else {
                    return Err(format!("dangling backslash in {text:?}"));
                };
                s.push(next);
                i += 2;
                continue;
            }
            s.push(c);
            i += 1;
        }
        if s.len() > 255 {
            return Err("a TXT string longer than 255 bytes".into());
        }
        out.push(s);
    }
    if out.is_empty() {
        out.push(Vec::new());
    }
    Ok(out)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// One change of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `CREATE` or `DELETE`.
    pub action: &'static str,
    /// Name with its final dot.
    pub name: String,
    /// Type.
    pub rtype: String,
    /// TTL.
    pub ttl: u32,
    /// Values in Route 53's text.
    pub values: Vec<String>,
}

/// The `ChangeResourceRecordSetsRequest` body.
pub fn change_batch_xml(changes: &[Change]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest xmlns=\"{XMLNS}\"><ChangeBatch><Comment>dnsup</Comment><Changes>"
    );
    for c in changes {
        x.push_str(&format!(
            "<Change><Action>{}</Action><ResourceRecordSet><Name>{}</Name><Type>{}</Type><TTL>{}</TTL><ResourceRecords>",
            c.action,
            xml_escape(&c.name),
            xml_escape(&c.rtype),
            c.ttl
        ));
        for v in &c.values {
            x.push_str(&format!(
                "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                xml_escape(v)
            ));
        }
        x.push_str("</ResourceRecords></ResourceRecordSet></Change>");
    }
    x.push_str("</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
    x
}

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    guard: Guard::Atomic,
    ..Capabilities::READ_WRITE
};

impl Provider for Route53 {
    fn label(&self) -> String {
        "route53".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones: Vec<Name> = self.zones().await?.into_iter().map(|(n, _)| n).collect();
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "route53: no hosted zone of this account holds {name}"
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let id = self.zone_id(zone).await?;
        let Some(raw) = self.read_raw(&id, key).await? else {
            return Ok(Rrset::default());
        };
        let values = raw_values(&raw, zone, key)?;
        Ok(Rrset {
            ttl: raw.ttl,
            values,
        })
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
        // The DELETE must name the TTL and values exactly as stored, so read them first;
        // the batch itself is still checked by Route 53 (a change in between conflicts).
        let raw = self.read_raw(&id, key).await?;
        let current = Rrset {
            ttl: raw.as_ref().and_then(|r| r.ttl),
            values: raw
                .as_ref()
                .map(|r| raw_values(r, zone, key))
                .transpose()?
                .unwrap_or_default(),
        };
        if let Some(conflict) = check_expected(key, &current, expected) {
            return Ok(conflict);
        }
        if current.values.is_empty() && new.is_empty() {
            return Ok(Applied::Done);
        }
        if !new.is_empty() && same_values(&current.values, new) && current.ttl == Some(ttl) {
            return Ok(Applied::Done);
        }
        let name = key.name.to_ascii();
        let rtype = key.rtype.to_string();
        let mut changes = Vec::new();
        if let Some(r) = &raw {
            changes.push(Change {
                action: "DELETE",
                name: r.name.clone(),
                rtype: r.rtype.clone(),
                ttl: r.ttl.unwrap_or(0),
                values: r.values.clone(),
            });
        }
        if !new.is_empty() {
            let mut values: Vec<String> = new.iter().map(format_value).collect();
            values.dedup();
            changes.push(Change {
                action: "CREATE",
                name,
                rtype,
                ttl,
                values,
            });
        }
        let url = self.url(&format!("/2013-04-01/hostedzone/{id}/rrset/"), &[])?;
        let mut req = Request::new(reqwest::Method::POST, url).header("content-type", "text/xml");
        req.body = change_batch_xml(&changes).into_bytes();
        let resp = self.send(req).await?;
        change_outcome(&resp, key, |m| self.http.scrub(m))
    }
}

/// AWS credentials for signing.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// Access key id.
    pub access_key_id: &'a str,
    /// Secret access key.
    pub secret_access_key: &'a str,
    /// Session token (temporary credentials), sent as `X-Amz-Security-Token` and signed.
    pub session_token: Option<&'a str>,
}

/// Every intermediate value of a SigV4 signature, so tests can pin each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4 {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// `host;x-amz-date;...`.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// The canonical URI of a path as sent on the wire: every byte outside the unreserved set
/// (and `/`) percent-encoded once more (AWS encodes paths twice for every service but S3).
pub fn canonical_uri(wire_path: &str) -> String {
    if wire_path.is_empty() {
        return "/".into();
    }
    sign::percent_encode(wire_path, true)
}

/// The canonical query string: each name and value decoded, RFC 3986-encoded, sorted.
pub fn canonical_query(raw_query: &str) -> String {
    sign::canonical_query(raw_query)
}

/// Sign a request with SigV4. `headers` are every header to sign, names in any case
/// (`host` and `x-amz-date` must be among them); `wire_path` and `raw_query` are the path and
/// query exactly as sent; `unix` is the signing time (it must equal `x-amz-date`).
#[allow(clippy::too_many_arguments)]
pub fn sigv4(
    creds: &Credentials,
    region: &str,
    service: &str,
    method: &str,
    wire_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    body: &[u8],
    unix: u64,
) -> SigV4 {
    let t = Utc::from_unix(unix);
    let mut canon: Vec<(String, String)> = Vec::new();
    for (k, v) in headers {
        let k = k.to_ascii_lowercase();
        let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
        match canon.iter_mut().find(|(n, _)| *n == k) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&v);
            }
            None => canon.push((k, v)),
        }
    }
    canon.sort();
    let signed_headers = canon
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = canon.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        canonical_uri(wire_path),
        canonical_query(raw_query),
        sign::sha256_hex(body)
    );
    let scope = format!("{}/{region}/{service}/aws4_request", t.date_compact());
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        t.basic(),
        sign::sha256_hex(canonical_request.as_bytes())
    );
    let k_date = sign::hmac_sha256(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        t.date_compact().as_bytes(),
    );
    let k_region = sign::hmac_sha256(&k_date, region.as_bytes());
    let k_service = sign::hmac_sha256(&k_region, service.as_bytes());
    let k_signing = sign::hmac_sha256(&k_service, b"aws4_request");
    let signature = sign::hex(&sign::hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        creds.access_key_id
    );
    SigV4 {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// `host[:port]` of a URL, as the `Host` header carries it.
pub fn host_header(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// A copy of `r` with `X-Amz-Date`, `X-Amz-Security-Token` and `Authorization` added,
/// signed for Route 53 at `unix`.
pub fn sign_request(r: &Request, creds: &Credentials, unix: u64) -> Request {
    let mut out = r.clone();
    out.headers.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            "authorization" | "x-amz-date" | "x-amz-security-token"
        )
    });
    out.headers
        .push(("x-amz-date".into(), Utc::from_unix(unix).basic()));
    if let Some(t) = creds.session_token {
        out.headers.push(("x-amz-security-token".into(), t.into()));
    }
    let mut to_sign = vec![("host".to_string(), host_header(&out.url))];
    to_sign.extend(out.headers.iter().cloned());
    let s = sigv4(
        creds,
        REGION,
        SERVICE,
        out.method.as_str(),
        out.url.path(),
        out.url.query().unwrap_or(""),
        &to_sign,
        &out.body,
        unix,
    );
    out.headers.push(("authorization".into(), s.authorization));
    out
}

/// A minimal, forgiving XML reader for the answers above: elements, text, entities and
/// CDATA; namespaces prefixes dropped; attributes ignored. Never panics; depth is bounded.
pub mod xml {
    /// An element.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Element {
        /// Local name.
        pub name: String,
        /// Child elements in order.
        pub children: Vec<Element>,
        /// Text content directly inside (entities decoded).
        pub text: String,
    }

    impl Element {
        /// The first child named `name`.
        pub fn child(&self, name: &str) -> Option<&Element> {
            self.children.iter().find(|c| c.name == name)
        }

        /// Every child named `name`.
        pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// The trimmed text of the first child named `name`.
        pub fn text_of(&self, name: &str) -> Option<&str> {
            self.child(name).map(|c| c.text.trim())
        }
    }

    const MAX_DEPTH: usize = 64;

    /// Parse a document; its root element.
    pub fn parse(doc: &[u8]) -> Result<Element, String> {
        let s = std::str::from_utf8(doc).map_err(|_| "XML that is not UTF-8".to_string())?;
        let mut stack: Vec<Element> = vec![Element::default()];
        let mut rest = s;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<?") {
                rest = skip_past(after, "?>")?;
            } else if let Some(after) = rest.strip_prefix("<!--") {
                rest = skip_past(after, "-->")?;
            } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
                let end = after.find("]]>").ok_or("unterminated CDATA")?;
                top(&mut stack)?.text.push_str(&after[..end]);
                rest = &after[end + 3..];
            } else if let Some(after) = rest.strip_prefix("<!") {
                rest = skip_past(after, ">")?;
            } else if let Some(after) = rest.strip_prefix("</") {
                let end = after.find('>').ok_or("unterminated end tag")?;
                let name = local(after[..end].trim());
                rest = &after[end + 1..];
                if stack.len() < 2 {
                    return Err(format!("</{name}> without a start"));
                }
                let done = stack.pop().ok_or("empty stack")?;
                if done.name != name {
                    return Err(format!("</{name}> closes <{}>", done.name));
                }
                top(&mut stack)?.children.push(done);
            } else if let Some(after) = rest.strip_prefix('<') {
                let end = tag_end(after).ok_or("unterminated tag")?;
                let inner = &after[..end];
                rest = &after[end + 1..];
                let self_closing = inner.ends_with('/');
                let inner = inner.trim_end_matches('/');
                let name = local(inner.split_whitespace().next().unwrap_or_default());
                if name.is_empty() {
                    return Err("a tag without a name".into());
                }
                let e = Element {
                    name: name.to_string(),
                    ..Element::default()
                };
                if self_closing {
                    top(&mut stack)?.children.push(e);
                } else {
                    if stack.len() > MAX_DEPTH {
                        return Err("XML nested too deeply".into());
                    }
                    stack.push(e);
                }
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let text = decode(&rest[..end])?;
                top(&mut stack)?.text.push_str(&text);
                rest = &rest[end..];
            }
        }
        if stack.len() != 1 {
            return Err("XML ends inside an element".into());
        }
        let mut root = stack.pop().ok_or("empty stack")?;
        if root.children.len() != 1 || !root.text.trim().is_empty() {
            return Err("not one root element".into());
        }
        Ok(root.children.remove(0))
    }

    fn top(stack: &mut [Element]) -> Result<&mut Element, String> {
        stack.last_mut().ok_or_else(|| "empty stack".to_string())
    }

    fn skip_past<'a>(s: &'a str, end: &str) -> Result<&'a str, String> {
        s.find(end)
            .map(|i| &s[i + end.len()..])
            .ok_or_else(|| format!("unterminated markup (no {end})"))
    }

    /// The index of the `>` closing a start tag, skipping quoted attribute values.
    fn tag_end(s: &str) -> Option<usize> {
        let mut quote: Option<char> = None;
        for (i, c) in s.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => return Some(i),
                (None, '<') => return None,
                _ => {}
            }
        }
        None
    }

    fn local(name: &str) -> &str {
        name.rsplit(':').next().unwrap_or(name)
    }

    /// Decode the five predefined entities and character references.
    pub fn decode(s: &str) -> Result<String, String> {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or("an unterminated entity")?;
            let ent = &after[..end];
            let c = match ent {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = if let Some(h) = ent.strip_prefix("#x").or(ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse().ok()
                    } else {
                        None
                    };
                    n.and_then(char::from_u32)
                        .ok_or_else(|| format!("unknown entity &{ent};"))?
                }
            };
            out.push(c);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    // The AWS Signature Version 4 test suite (formerly at
    // https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, now kept by
    // AWS in https://github.com/awslabs/aws-c-auth/tree/main/tests/aws-signing-test-suite/v4):
    // credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1,
    // service "service", time 2015-08-30T12:36:00Z, host example.amazonaws.com.
    const SUITE_TIME: u64 = 1_440_938_160;
    const CREDS: Credentials = Credentials {
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token: None,
    };

    fn suite(method: &str, path: &str, query: &str, creds: &Credentials) -> SigV4 {
        let mut headers = vec![
            ("Host".to_string(), "example.amazonaws.com".to_string()),
            ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
        ];
        if let Some(t) = creds.session_token {
            headers.push(("X-Amz-Security-Token".into(), t.into()));
        }
        sigv4(
            creds,
            "us-east-1",
            "service",
            method,
            path,
            query,
            &headers,
            b"",
            SUITE_TIME,
        )
    }

    #[test]
    fn sigv4_get_vanilla() {
        // get-vanilla: GET / ; canonical request, string to sign and signature as published.
        let s = suite("GET", "/", "", &CREDS);
        assert_eq!(
            s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(
            s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn sigv4_suite_vectors() {
        // get-vanilla-query-order-key-case: GET /?Param2=value2&Param1=value1
        assert_eq!(
            suite("GET", "/", "Param2=value2&Param1=value1", &CREDS).signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
        // get-utf8: GET /ሴ (the path as the suite writes it; canonical /%E1%88%B4)
        assert_eq!(
            suite("GET", "/ሴ", "", &CREDS).signature,
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"
        );
        // post-vanilla: POST /
        assert_eq!(
            suite("POST", "/", "", &CREDS).signature,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        );
        // get-vanilla-with-session-token: the token is a signed header.
        let with_token = Credentials {
            session_token: Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
            ..CREDS
        };
        let s = suite("GET", "/", "", &with_token);
        assert_eq!(s.signed_headers, "host;x-amz-date;x-amz-security-token");
        assert_eq!(
            s.signature,
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        );
    }

    #[test]
    fn signed_requests_carry_date_token_and_authorization() {
        let url = reqwest::Url::parse(
            "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1/rrset?name=a.example.com.&type=A&maxitems=1",
        )
        .unwrap();
        let creds = Credentials {
            session_token: Some("tok"),
            ..CREDS
        };
        let r = sign_request(&Request::new(reqwest::Method::GET, url), &creds, SUITE_TIME);
        assert_eq!(r.header_value("x-amz-date"), Some("20150830T123600Z"));
        assert_eq!(r.header_value("x-amz-security-token"), Some("tok"));
        let auth = r.header_value("authorization").unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="
        ), "{auth}");
        // Signing again (a retry) replaces, never duplicates.
        let again = sign_request(&r, &creds, SUITE_TIME + 1);
        assert_eq!(
            again
                .headers
                .iter()
                .filter(|(k, _)| k == "authorization")
                .count(),
            1
        );
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(
            canonical_query("type=A&name=a%2Ab.example.&maxitems=1"),
            "maxitems=1&name=a%2Ab.example.&type=A"
        );
        assert_eq!(canonical_query("b=&a=x%20y"), "a=x%20y&b=");
        assert_eq!(canonical_uri("/a b/%41"), "/a%20b/%2541");
    }

    #[test]
    fn txt_values_round_trip() {
        let zone = Name::from_str("example.com.").unwrap();
        let v = crate::update::parse_rdata(
            RecordType::TXT,
            "\"acme token with spaces\" \"and \\\"quotes\\\"\" \"back\\\\slash \\255\"",
            &zone,
        )
        .unwrap();
        let text = format_value(&v);
        assert_eq!(
            text,
            "\"acme token with spaces\" \"and \\\"quotes\\\"\" \"back\\\\slash \\377\""
        );
        assert_eq!(parse_value(RecordType::TXT, &text, &zone).unwrap(), v);
        assert!(parse_value(RecordType::TXT, "\"open", &zone).is_err());
        let a = parse_value(RecordType::A, "192.0.2.1", &zone).unwrap();
        assert_eq!(format_value(&a), "192.0.2.1");
    }

    #[test]
    fn names_with_octal_escapes() {
        assert_eq!(
            decode_name("\\052.example.com.").unwrap(),
            Name::from_str("*.example.com.").unwrap()
        );
        assert_eq!(
            decode_name("www.example.com").unwrap(),
            Name::from_str("www.example.com.").unwrap()
        );
    }

    #[test]
    fn parses_documented_answers() {
        let zones = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <HostedZones>
      <HostedZone>
         <Id>/hostedzone/Z111111QQQQQQQ</Id>
         <Name>example.com.</Name>
         <CallerReference>MyUniqueIdentifier1</CallerReference>
         <Config><Comment>This is my first hosted zone.</Comment><PrivateZone>false</PrivateZone></Config>
         <ResourceRecordSetCount>42</ResourceRecordSetCount>
      </HostedZone>
   </HostedZones>
   <IsTruncated>true</IsTruncated>
   <NextMarker>Z222222VVVVVVV</NextMarker>
   <MaxItems>1</MaxItems>
</ListHostedZonesResponse>"#;
        let page = parse_hosted_zones(zones).unwrap();
        assert_eq!(page.zones.len(), 1);
        assert_eq!(page.zones[0].1, "Z111111QQQQQQQ");
        assert!(page.truncated);
        assert_eq!(page.next_marker.as_deref(), Some("Z222222VVVVVVV"));

        let sets = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
   <ResourceRecordSets>
      <ResourceRecordSet>
         <Name>example.com.</Name><Type>TXT</Type><TTL>300</TTL>
         <ResourceRecords>
            <ResourceRecord><Value>"a &amp; b" "c"</Value></ResourceRecord>
         </ResourceRecords>
      </ResourceRecordSet>
   </ResourceRecordSets>
   <IsTruncated>false</IsTruncated>
   <MaxItems>1</MaxItems>
</ListResourceRecordSetsResponse>"#;
        let sets = parse_record_sets(sets).unwrap();
        assert_eq!(sets[0].values, ["\"a & b\" \"c\""]);
        assert_eq!(sets[0].ttl, Some(300));

        let bad = br#"<?xml version="1.0"?>
<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <Messages><Message>Tried to delete resource record set [name='a.example.com.', type='A'] but it was not found</Message></Messages>
  <RequestId>b25f48e8-84fd-11e6-80d9-574e0c4664cb</RequestId>
</InvalidChangeBatch>"#;
        let (code, msg) = error_parts(bad);
        assert_eq!(code.as_deref(), Some("InvalidChangeBatch"));
        assert!(msg.unwrap().contains("not found"));
        let denied = br#"<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error><RequestId>x</RequestId></ErrorResponse>"#;
        let resp = Response {
            status: 403,
            headers: vec![],
            body: denied.to_vec(),
            what: "GET /x".into(),
        };
        assert!(
            matches!(api_error(&resp), ProviderError::Auth(m) if m.contains("SignatureDoesNotMatch"))
        );
        let throttled = br#"<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"#;
        let resp = Response {
            status: 400,
            body: throttled.to_vec(),
            ..resp
        };
        assert!(matches!(api_error(&resp), ProviderError::Network(_)));
    }

    #[test]
    fn garbage_xml_is_an_error_not_a_panic() {
        for doc in [
            &b""[..],
            b"<",
            b"<a>",
            b"</a>",
            b"<a></b>",
            b"<a>&bogus;</a>",
            b"<a/><b/>",
            b"\xff\xfe",
            b"<a x='>'>t</a>",
            b"<![CDATA[",
            b"<!-- x",
        ] {
            let _ = xml::parse(doc);
        }
        let deep = "<a>".repeat(1000);
        assert!(xml::parse(deep.as_bytes()).is_err());
        assert!(parse_record_sets(b"<Other/>").is_err());
        assert_eq!(xml::parse(b"<a x='>'>t</a>").unwrap().text, "t");
    }

    #[test]
    fn change_batch_is_escaped() {
        let x = change_batch_xml(&[Change {
            action: "CREATE",
            name: "a.example.com.".into(),
            rtype: "TXT".into(),
            ttl: 60,
            values: vec!["\"<&>\"".into()],
        }]);
        assert!(
            x.contains("<Value>&quot;&lt;&amp;&gt;&quot;</Value>"),
            "{x}"
        );
        let root = xml::parse(x.as_bytes()).unwrap();
        assert_eq!(root.name, "ChangeResourceRecordSetsRequest");
    }
}
