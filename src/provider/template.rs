//! Any HTTP update API the user describes: a URL template (and optionally a method, headers and
//! a body template) that dnsup fills in for each change. Write-only: the template provider
//! cannot read records (read = false, guard = None) and cannot list zones (give `zone` in the
//! record). It deletes only when a `delete_url` is configured.
//!
//! Placeholders (`{word}`; any other brace, as in a JSON body, is literal text):
//!
//! | placeholder | value |
//! |---|---|
//! | `{name}` | the owner name without the final dot: `home.example.com` |
//! | `{zone}` | the zone without the final dot: `example.com` |
//! | `{subname}` | the owner relative to the zone, `@` at the apex: `home` |
//! | `{type}` | `A`, `AAAA`, `TXT`, ... |
//! | `{ttl}` | the TTL in seconds |
//! | `{value}` / `{ip}` | the first value: an address; for TXT its text (strings joined, no quotes) |
//! | `{values}` | every value, comma-joined (same forms as `{value}`) |
//! | `{rdata}` | the first value in zone-file form (TXT quoted) |
//! | `{secret}` | the secret (`secret = { file = ... }`) |
//!
//! Values are escaped for where they land: percent-encoded in URLs; in a body according to
//! `body_format` (`form`: form-encoded, `json`: JSON string escapes, `raw`: as is; default
//! `json` when the body starts with `{` or `[`, `form` otherwise); headers get them as they
//! are (a value with a line break is refused). Only `https://` URLs are accepted.
//!
//! Success is an HTTP status in `success.status` (default: any 2xx) and, when
//! `success.contains` is given, an answer body containing one of those strings; a body
//! containing one of `auth_error` (e.g. `badauth`) is an authentication error. The capabilities
//! follow the templates: several values only when `{values}` is used, TTL only when `{ttl}` is.
//!
//! Example: Hurricane Electric's dynamic DNS (<https://dns.he.net/docs.html>), whose update
//! key is per host:
//!
//! ```toml
//! [providers.he]
//! type = "template"
//! url = "https://dyn.dns.he.net/nic/update?hostname={name}&password={secret}&myip={ip}"
//! secret = { file = "/etc/dnsup/he-home.key" }
//! success = { status = [200], contains = ["good", "nochg"] }
//! auth_error = ["badauth"]
//! types = ["A", "AAAA"]
//! ```
//!
//! A JSON webhook that can also delete:
//!
//! ```toml
//! [providers.hook]
//! type = "template"
//! method = "PUT"
//! url = "https://dns.example.net/api/zones/{zone}/records/{subname}/{type}"
//! headers = { Authorization = "Bearer {secret}" }
//! body = '{"ttl": {ttl}, "values": "{values}"}'
//! secret = { env = "HOOK_TOKEN" }
//! delete_url = "https://dns.example.net/api/zones/{zone}/records/{subname}/{type}"
//! delete_method = "DELETE"
//! types = ["A", "AAAA", "TXT"]
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, short};
use super::text::{joined_lossy, presentation};
use super::{
    Applied, Capabilities, Guard, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    plain_name, relative_name,
};
use crate::update::{parse_type, type_name};

/// The placeholders a template may use.
const PLACEHOLDERS: [&str; 10] = [
    "name", "zone", "subname", "type", "ttl", "value", "ip", "values", "rdata", "secret",
];

/// `type = "template"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The update URL template (`https://` only).
    pub url: String,
    /// `GET` (default), `POST`, `PUT`, `PATCH` or `DELETE`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Extra headers; values are templates too (`Authorization = "Bearer {secret}"`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A body template (none: no body).
    pub body: Option<String>,
    /// How values are escaped in bodies: `form`, `json` or `raw` (see the module docs).
    pub body_format: Option<BodyFormat>,
    /// The secret `{secret}` stands for.
    pub secret: Option<SecretRef>,
    /// What counts as success (boxed: keeps `ProviderConfig` variants of similar size).
    #[serde(default)]
    pub success: Box<Success>,
    /// Body substrings that mean the credentials were refused.
    #[serde(default)]
    pub auth_error: Vec<String>,
    /// A URL template that deletes the RRset (none: deleting is not supported).
    pub delete_url: Option<String>,
    /// The method of the delete (default: `method`).
    pub delete_method: Option<String>,
    /// The body template of the delete.
    pub delete_body: Option<String>,
    /// The record types the service takes (default `A`, `AAAA`).
    #[serde(default = "default_types")]
    pub types: Vec<String>,
    /// HTTP settings (`endpoint` is not used: the URL is the template).
    #[serde(default)]
    pub http: HttpSettings,
}

/// `success = { status = [200], contains = ["good", "nochg"] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Success {
    /// Accepted statuses (empty: any 2xx).
    #[serde(default)]
    pub status: Vec<u16>,
    /// The answer body must contain one of these (empty: not checked).
    #[serde(default)]
    pub contains: Vec<String>,
}

/// How substituted values are escaped in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded` values.
    Form,
    /// Inside JSON strings.
    Json,
    /// As they are.
    Raw,
}

fn default_method() -> String {
    "GET".into()
}

fn default_types() -> Vec<String> {
    vec!["A".into(), "AAAA".into()]
}

/// One request template.
#[derive(Debug, Clone)]
struct Call {
    method: reqwest::Method,
    url: String,
    body: Option<String>,
}

/// A user-described HTTP update API.
#[derive(Debug)]
pub struct Template {
    http: Http,
    update: Call,
    delete: Option<Call>,
    headers: Vec<(String, String)>,
    format: BodyFormat,
    secret: Option<Secret>,
    success: Success,
    auth_error: Vec<String>,
    caps: Capabilities,
    label: String,
}

/// Where a substituted value lands.
#[derive(Debug, Clone, Copy)]
enum Escape {
    Url,
    Header,
    Body(BodyFormat),
}

/// The `{word}` placeholders of `template`, in order (other braces are literal).
fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        rest = &rest[i + 1..];
        if let Some(j) = rest.find('}') {
            let word = &rest[..j];
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                out.push(word);
                rest = &rest[j + 1..];
            }
        }
    }
    out
}

/// `template` with each known placeholder replaced by `value(word)` escaped for `escape`.
fn fill(
    template: &str,
    escape: Escape,
    value: &dyn Fn(&str) -> String,
) -> Result<String, ProviderError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let word = after
            .find('}')
            .map(|j| &after[..j])
            .filter(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        match word {
            Some(w) if PLACEHOLDERS.contains(&w) => {
                out.push_str(&escaped(&value(w), escape)?);
                rest = &after[w.len() + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn escaped(v: &str, escape: Escape) -> Result<String, ProviderError> {
    Ok(match escape {
        Escape::Url => percent_encode(v),
        Escape::Body(BodyFormat::Form) => url_form_value(v),
        Escape::Body(BodyFormat::Json) => {
            let quoted = serde_json::Value::String(v.to_string()).to_string();
            quoted[1..quoted.len() - 1].to_string()
        }
        Escape::Body(BodyFormat::Raw) => v.to_string(),
        Escape::Header => {
            if v.chars().any(|c| c.is_control()) {
                return Err(ProviderError::Unsupported(
                    "a header value would hold a control character".into(),
                ));
            }
            v.to_string()
        }
    })
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A form value (`application/x-www-form-urlencoded`: space as `+`).
fn url_form_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b' ' => out.push('+'),
            b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            _ if b.is_ascii_alphanumeric() => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn method(text: &str, what: &str) -> Result<reqwest::Method, String> {
    match text.to_ascii_uppercase().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE") => {
            reqwest::Method::from_bytes(m.as_bytes()).map_err(|e| e.to_string())
        }
        _ => Err(format!(
            "template: {what} '{text}': use GET, POST, PUT, PATCH or DELETE"
        )),
    }
}

impl Template {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.http.endpoint.is_some() {
            return Err("template: the url is the endpoint; http.endpoint is not used".into());
        }
        let mut all: Vec<(&str, &str)> = vec![("url", c.url.as_str())];
        if let Some(b) = &c.body {
            all.push(("body", b));
        }
        if let Some(u) = &c.delete_url {
            all.push(("delete_url", u));
        }
        if let Some(b) = &c.delete_body {
            all.push(("delete_body", b));
        }
        for (k, v) in &c.headers {
            all.push((k.as_str(), v.as_str()));
        }
        for (what, t) in &all {
            for p in placeholders(t) {
                if !PLACEHOLDERS.contains(&p) {
                    return Err(format!(
                        "template: {what}: unknown placeholder {{{p}}} (known: {})",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
                    ));
                }
                if p == "secret" && c.secret.is_none() {
                    return Err(format!(
                        "template: {what} uses {{secret}} but no secret is set"
                    ));
                }
            }
        }
        for (what, u) in [("url", Some(&c.url)), ("delete_url", c.delete_url.as_ref())] {
            let Some(u) = u else { continue };
            let sample = fill(u, Escape::Url, &|_| "x".into()).map_err(|e| e.to_string())?;
            let parsed =
                reqwest::Url::parse(&sample).map_err(|e| format!("template: {what} '{u}': {e}"))?;
            if parsed.scheme() != "https" {
                return Err(format!(
                    "template: {what} '{u}': only https:// URLs are accepted"
                ));
            }
        }
        let mut headers = Vec::new();
        for (k, v) in &c.headers {
            reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("template: header name '{k}' is not valid"))?;
            headers.push((k.to_ascii_lowercase(), v.clone()));
        }
        let mut types = Vec::new();
        for t in &c.types {
            types.push(parse_type(t).map_err(|e| format!("template: types: {e}"))?);
        }
        if types.is_empty() {
            return Err("template: types is empty".into());
        }
        let update = Call {
            method: method(&c.method, "method")?,
            url: c.url.clone(),
            body: c.body.clone(),
        };
        let delete = match &c.delete_url {
            Some(u) => Some(Call {
                method: method(
                    c.delete_method.as_deref().unwrap_or(&c.method),
                    "delete_method",
                )?,
                url: u.clone(),
                body: c.delete_body.clone(),
            }),
            None => {
                if c.delete_body.is_some() || c.delete_method.is_some() {
                    return Err("template: delete_body/delete_method need a delete_url".into());
                }
                None
            }
        };
        let format = c.body_format.unwrap_or_else(|| {
            let starts = c.body.as_deref().unwrap_or("").trim_start();
            if starts.starts_with('{') || starts.starts_with('[') {
                BodyFormat::Json
            } else {
                BodyFormat::Form
            }
        });
        let uses = |p: &str| {
            [Some(&c.url), c.body.as_ref()]
                .into_iter()
                .flatten()
                .chain(c.headers.values())
                .any(|t| placeholders(t).contains(&p))
        };
        let caps = Capabilities {
            read: false,
            guard: Guard::None,
            delete: delete.is_some(),
            multiple_values: uses("values"),
            ttl: uses("ttl"),
            min_ttl: 0,
            ttl_set: &[],
            // Built once per provider from the configuration; `Capabilities` holds a static
            // slice, so the small list is leaked on purpose.
            types: Box::leak(types.into_boxed_slice()),
        };
        let secret = match &c.secret {
            Some(r) => Some(setup.secret(r, "secret")?),
            None => None,
        };
        let http = Http::new(
            &c.http,
            Duration::from_secs(1),
            secret.iter().cloned().collect(),
            false,
        )?;
        let host = fill(&c.url, Escape::Url, &|_| "x".into())
            .ok()
            .and_then(|u| reqwest::Url::parse(&u).ok())
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        Ok(Template {
            http,
            update,
            delete,
            headers,
            format,
            secret,
            success: (*c.success).clone(),
            auth_error: c.auth_error.clone(),
            caps,
            label: format!("template {host}"),
        })
    }

    fn build(
        &self,
        call: &Call,
        zone: &Name,
        key: &RrsetKey,
        new: &[RData],
        ttl: u32,
    ) -> Result<Request, ProviderError> {
        let values: Vec<String> = new.iter().map(joined_lossy).collect();
        let value = |w: &str| -> String {
            match w {
                "name" => plain_name(&key.name),
                "zone" => plain_name(zone),
                "subname" => relative_name(&key.name, zone),
                "type" => type_name(key.rtype),
                "ttl" => ttl.to_string(),
                "value" | "ip" => values.first().cloned().unwrap_or_default(),
                "values" => values.join(","),
                "rdata" => new.first().map(presentation).unwrap_or_default(),
                "secret" => self
                    .secret
                    .as_ref()
                    .map(|s| s.expose().to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            }
        };
        let text = fill(&call.url, Escape::Url, &value)?;
        let url = reqwest::Url::parse(&text).map_err(|e| {
            ProviderError::Unsupported(self.http.scrub(&format!("template url: {e}")))
        })?;
        let mut req = Request::new(call.method.clone(), url);
        for (k, v) in &self.headers {
            req = req.header(k, fill(v, Escape::Header, &value)?);
        }
        if let Some(body) = &call.body {
            req.body = fill(body, Escape::Body(self.format), &value)?.into_bytes();
            if req.header_value("content-type").is_none() {
                match self.format {
                    BodyFormat::Form => {
                        req = req.header("content-type", "application/x-www-form-urlencoded");
                    }
                    BodyFormat::Json => req = req.header("content-type", "application/json"),
                    BodyFormat::Raw => {}
                }
            }
        }
        Ok(req)
    }

    /// `e` with the secret scrubbed (a URL path may hold it).
    fn scrubbed(&self, e: ProviderError) -> ProviderError {
        let s = |m: String| self.http.scrub(&m);
        match e {
            ProviderError::Network(m) => ProviderError::Network(s(m)),
            ProviderError::Auth(m) => ProviderError::Auth(s(m)),
            ProviderError::Refused(m) => ProviderError::Refused(s(m)),
            ProviderError::Protocol(m) => ProviderError::Protocol(s(m)),
            ProviderError::Unsupported(m) => ProviderError::Unsupported(s(m)),
            ProviderError::Blocked(m) => ProviderError::Blocked(s(m)),
            ProviderError::Throttled(m, after) => ProviderError::Throttled(s(m), after),
        }
    }
}

/// The outcome of an answer, by the success rules `success` and `auth_error` (the body shown
/// in a message passed through `scrub`).
pub(crate) fn judge(
    success: &Success,
    auth_error: &[String],
    r: &Response,
    scrub: impl Fn(&str) -> String,
) -> Result<(), ProviderError> {
    let body = r.text();
    let detail = scrub(&short(body.trim()));
    if auth_error.iter().any(|s| body.contains(s.as_str())) {
        return Err(ProviderError::Auth(format!(
            "{} answered HTTP {}: {detail}",
            r.what, r.status
        )));
    }
    let status_ok = if success.status.is_empty() {
        r.ok()
    } else {
        success.status.contains(&r.status)
    };
    if !status_ok {
        return Err(r.error(&detail));
    }
    if !success.contains.is_empty() && !success.contains.iter().any(|s| body.contains(s.as_str())) {
        return Err(ProviderError::Refused(format!(
            "{} answered HTTP {} without {}: {detail}",
            r.what,
            r.status,
            success.contains.join(" / ")
        )));
    }
    Ok(())
}

impl Provider for Template {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{name}: the template provider cannot list zones: set zone = ... in the record"
        )))
    }

    async fn read(&self, _zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "{key}: the template provider is write-only"
        )))
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        _expected: &[RData],
        new: &[RData],
        ttl: u32,
    ) -> Result<Applied, ProviderError> {
        self.caps.check(key, new)?;
        let call = if new.is_empty() {
            self.delete.as_ref().ok_or_else(|| {
                ProviderError::Unsupported(format!("{key}: no delete_url is configured"))
            })?
        } else {
            &self.update
        };
        let req = self.build(call, zone, key, new, ttl)?;
        let r = self.http.send(&req).await.map_err(|e| self.scrubbed(e))?;
        judge(&self.success, &self.auth_error, &r, |m| self.http.scrub(m))
            .map_err(|e| self.scrubbed(e))?;
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    #[test]
    fn placeholders_and_literal_braces() {
        assert_eq!(
            placeholders(r#"{"ttl": {ttl}, "v": "{values}", "x": {"y": 1}}"#),
            ["ttl", "values"]
        );
        let v = |w: &str| match w {
            "ttl" => "60".to_string(),
            "values" => "a \"b\"".to_string(),
            _ => String::new(),
        };
        assert_eq!(
            fill(
                r#"{"ttl": {ttl}, "v": "{values}"}"#,
                Escape::Body(BodyFormat::Json),
                &v
            )
            .unwrap(),
            r#"{"ttl": 60, "v": "a \"b\""}"#
        );
        assert_eq!(
            fill("v={values}&t={ttl}", Escape::Body(BodyFormat::Form), &v).unwrap(),
            "v=a+%22b%22&t=60"
        );
        assert_eq!(
            fill("https://x/?v={values}", Escape::Url, &v).unwrap(),
            "https://x/?v=a%20%22b%22"
        );
        assert!(fill("{values}", Escape::Header, &|_| "a\r\nb".into()).is_err());
        // Unknown words are left alone by fill (the configuration check refuses them).
        assert_eq!(fill("{nope}", Escape::Url, &v).unwrap(), "{nope}");
    }

    #[test]
    fn txt_values_are_their_text() {
        let t = crate::update::parse_rdata(RecordType::TXT, r#""a b" "c""#, &Name::root()).unwrap();
        assert_eq!(joined_lossy(&t), "a bc");
        assert_eq!(presentation(&t), r#""a b" "c""#);
    }
}
