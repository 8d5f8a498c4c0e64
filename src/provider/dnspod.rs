//! DNSPod's legacy token API (`https://dnsapi.cn`, still used by many DNSPod accounts that
//! hold a `login_token` rather than Tencent Cloud keys; the TC3-signed API is `tencent`).
//! Every call is a form `POST /{Action}` with `login_token=ID,TOKEN`, `format=json`,
//! `lang=en` and `error_on_empty=no`; errors come with HTTP 200 as
//! `{"status": {"code": "-1", "message": "..."}}` (`1` is success, `-1` a failed login).
//! One record per value on a line (dnsup manages the default line, id `0`): `Domain.List`,
//! `Record.List` (filtered by `sub_domain` and `record_type`), `Record.Create`,
//! `Record.Modify`, `Record.Remove`. The shared read-compare-write lives in
//! [`super::per_record`]. TTLs below 600 s (the free plan's minimum) are raised to 600.
//!
//! Documentation: <https://docs.dnspod.cn/api/5f561f9ee75cf42d25bf6720/> (common parameters
//! and return codes), `Domain.List` <https://docs.dnspod.cn/api/5f5620bde75cf42d25bf6728/>,
//! `Record.List` <https://docs.dnspod.cn/api/5f562ae4e75cf42d25bf689e/>, `Record.Create`
//! <https://docs.dnspod.cn/api/5f5629a3e75cf42d25bf6869/>, `Record.Modify`
//! <https://docs.dnspod.cn/api/5f562c00e75cf42d25bf68b2/>, `Record.Remove`
//! <https://docs.dnspod.cn/api/5f562b10e75cf42d25bf68a6/>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::per_record::{Record, RecordApi};
use super::text::{compact, parse_compact};
use super::{Capabilities, ProviderError, RrsetKey, Secret, SecretRef, plain_name, relative_name};

/// The documented endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://dnsapi.cn";

/// The free plan's smallest TTL.
pub const MIN_TTL: u32 = 600;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[
        RecordType::A,
        RecordType::AAAA,
        RecordType::TXT,
        RecordType::CNAME,
    ],
    min_ttl: MIN_TTL,
    ..Capabilities::READ_WRITE
};

/// `type = "dnspod"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The token's id (the number before the comma of `login_token`).
    pub token_id: String,
    /// The token.
    pub token: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// DNSPod (legacy token API).
#[derive(Debug)]
pub struct DnsPod {
    http: Http,
    settings: HttpSettings,
    login: Secret,
}

#[derive(Debug, Deserialize)]
struct Status {
    code: Value,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Answer {
    status: Status,
    #[serde(default)]
    domains: Vec<Domain>,
    #[serde(default)]
    records: Vec<PodRecord>,
}

#[derive(Debug, Deserialize)]
struct Domain {
    name: String,
}

#[derive(Debug, Deserialize)]
struct PodRecord {
    id: Value,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    value: String,
    ttl: Value,
    #[serde(default)]
    line_id: Option<Value>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An answer of any action: `Ok` when `status.code` is `1`, else the error it names (`-1`:
/// the login failed; others: refused), the message scrubbed by the caller.
fn answer(r: &Response, scrub: impl Fn(&str) -> String) -> Result<Answer, ProviderError> {
    if !r.ok() {
        return Err(r.error(""));
    }
    let a: Answer = r.json()?;
    let code = text(&a.status.code);
    let what = |m: &str| format!("{}: DNSPod answered {code}: {}", r.what, short(&scrub(m)));
    match code.as_str() {
        "1" => Ok(a),
        "-1" | "-2" | "-3" | "-4" | "-7" | "-8" | "85" => {
            Err(ProviderError::Auth(what(&a.status.message)))
        }
        _ => Err(ProviderError::Refused(what(&a.status.message))),
    }
}

/// `Domain.List` (any status): the domains.
pub fn parse_domains(r: &Response) -> Result<Vec<Name>, ProviderError> {
    Ok(answer(r, str::to_string)?
        .domains
        .iter()
        .filter_map(|d| Name::from_ascii(format!("{}.", d.name)).ok())
        .collect())
}

fn sub_domain(key: &RrsetKey, zone: &Name) -> String {
    relative_name(&key.name, zone)
}

/// `Record.List` (any status): the records of `key` on the default line.
pub fn parse_records(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<Record>, ProviderError> {
    let sub = sub_domain(key, zone);
    let rtype = key.rtype.to_string();
    answer(r, str::to_string)?
        .records
        .into_iter()
        .filter(|x| {
            x.rtype == rtype
                && x.name.eq_ignore_ascii_case(&sub)
                && x.line_id.as_ref().is_none_or(|l| text(l) == "0")
        })
        .map(|x| {
            let value = parse_compact(key.rtype, &x.value).map_err(|e| {
                ProviderError::Protocol(format!(
                    "{key}: DNSPod holds a value dnsup cannot read: {e}"
                ))
            })?;
            let ttl = text(&x.ttl).parse().map_err(|_| {
                ProviderError::Protocol(format!("{key}: DNSPod answered a TTL that is no number"))
            })?;
            Ok(Record {
                id: text(&x.id),
                value,
                ttl,
            })
        })
        .collect()
}

impl DnsPod {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.token_id.is_empty() || !c.token_id.chars().all(|ch| ch.is_ascii_digit()) {
            return Err("token_id: the number DNSPod shows for the token".into());
        }
        let token = setup.secret(&c.token, "token")?;
        let login = Secret::new(format!("{},{}", c.token_id, token.expose()));
        // DNSPod blocks accounts that call too often: one call every 500 ms.
        let http = Http::new(
            &c.http,
            Duration::from_millis(500),
            vec![token, login.clone()],
            false,
        )?;
        Ok(DnsPod {
            http,
            settings: c.http.clone(),
            login,
        })
    }

    /// The form `POST` of `action` with `params` (and the common parameters).
    pub fn request(&self, action: &str, params: &[(&str, &str)]) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &[action])?;
        // The form encoding of a query string (application/x-www-form-urlencoded).
        let mut form = url.clone();
        form.query_pairs_mut()
            .clear()
            .append_pair("login_token", self.login.expose())
            .append_pair("format", "json")
            .append_pair("lang", "en")
            .append_pair("error_on_empty", "no")
            .extend_pairs(params);
        let mut r = Request::new(Method::POST, url)
            .header("content-type", "application/x-www-form-urlencoded");
        r.body = form.query().unwrap_or("").as_bytes().to_vec();
        Ok(r)
    }

    async fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<Response, ProviderError> {
        let response = self.http.send(&self.request(action, params)?).await?;
        answer(&response, |m| self.http.scrub(m))?;
        Ok(response)
    }
}

impl RecordApi for DnsPod {
    const LABEL: &'static str = "dnspod";
    const CAPABILITIES: Capabilities = CAPABILITIES;
    const MIN_TTL: u32 = MIN_TTL;

    fn name(&self) -> &'static str {
        "DNSPod"
    }

    async fn zones(&self) -> Result<Vec<Name>, ProviderError> {
        parse_domains(&self.call("Domain.List", &[("length", "3000")]).await?)
    }

    async fn records(&self, zone: &Name, key: &RrsetKey) -> Result<Vec<Record>, ProviderError> {
        let (domain, sub, rtype) = (
            plain_name(zone),
            sub_domain(key, zone),
            key.rtype.to_string(),
        );
        let r = self
            .call(
                "Record.List",
                &[
                    ("domain", &domain),
                    ("sub_domain", &sub),
                    ("record_type", &rtype),
                    ("length", "3000"),
                ],
            )
            .await?;
        parse_records(&r, zone, key)
    }

    async fn create(
        &self,
        zone: &Name,
        key: &RrsetKey,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let (domain, sub, rtype) = (
            plain_name(zone),
            sub_domain(key, zone),
            key.rtype.to_string(),
        );
        let (value, ttl) = (compact(value), ttl.to_string());
        self.call(
            "Record.Create",
            &[
                ("domain", &domain),
                ("sub_domain", &sub),
                ("record_type", &rtype),
                ("record_line_id", "0"),
                ("value", &value),
                ("ttl", &ttl),
            ],
        )
        .await?;
        Ok(())
    }

    async fn update(
        &self,
        zone: &Name,
        key: &RrsetKey,
        record: &Record,
        value: &RData,
        ttl: u32,
    ) -> Result<(), ProviderError> {
        let (domain, sub, rtype) = (
            plain_name(zone),
            sub_domain(key, zone),
            key.rtype.to_string(),
        );
        let (value, ttl) = (compact(value), ttl.to_string());
        self.call(
            "Record.Modify",
            &[
                ("domain", &domain),
                ("record_id", &record.id),
                ("sub_domain", &sub),
                ("record_type", &rtype),
                ("record_line_id", "0"),
                ("value", &value),
                ("ttl", &ttl),
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete(
        &self,
        zone: &Name,
        _key: &RrsetKey,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let domain = plain_name(zone);
        self.call(
            "Record.Remove",
            &[("domain", &domain), ("record_id", &record.id)],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "POST /Record.List".into(),
        }
    }

    #[test]
    fn documented_answers() {
        let zone = Name::from_ascii("example.com.").unwrap();
        let key = RrsetKey {
            name: Name::from_ascii("www.example.com.").unwrap(),
            rtype: RecordType::A,
        };
        let got = parse_records(
            &resp(r#"{"status":{"code":"1","message":"Action completed successful","created_at":"2015-01-19 10:36:19"},"domain":{"id":"9","name":"example.com"},"info":{"sub_domains":"2","record_total":"1"},"records":[{"id":"16894439","name":"www","line":"默认","line_id":"0","type":"A","ttl":"600","value":"192.0.2.1","mx":"0","enabled":"1","status":"enabled"}]}"#),
            &zone,
            &key,
        )
        .unwrap();
        assert_eq!((got[0].id.as_str(), got[0].ttl), ("16894439", 600));
        assert!(matches!(
            parse_records(
                &resp(r#"{"status":{"code":"-1","message":"Login failed"}}"#),
                &zone,
                &key
            ),
            Err(ProviderError::Auth(_))
        ));
        assert!(matches!(
            parse_records(
                &resp(r#"{"status":{"code":"6","message":"Domain id invalid"}}"#),
                &zone,
                &key
            ),
            Err(ProviderError::Refused(_))
        ));
    }
}
