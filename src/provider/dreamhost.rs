//! DreamHost API (`https://api.dreamhost.com/`, the API key in the `key` query parameter, the
//! command in `cmd`). One record per value, without ids: `dns-list_records` lists every
//! record of every zone the key reaches (tab-separated: a `success` line, a header line
//! `account_id zone record type value comment editable`, then one line per record),
//! `dns-add_record` adds one (`record` the full name, `type`, `value`) and
//! `dns-remove_record` removes one given the same three fields, its value exactly as listed.
//! There is no update and no TTL: a changed value is added, then the old one removed (a CNAME
//! the other way round: DreamHost refuses a second CNAME on a name). Zones
//! are the `zone` column of the listing. Read, compare, then write.
//!
//! A, AAAA and CNAME only: TXT values have no documented escaping in the tab format. Errors
//! come with HTTP 200 as an `error` line followed by a code (`no_such_zone`,
//! `slow_down_bucko` for the hourly/daily rate limits, ...).
//!
//! Documentation: <https://help.dreamhost.com/hc/en-us/articles/217555707-DNS-API-commands>
//! (commands, values, results and errors), connecting and parameters (`key`, `cmd`,
//! `unique_id`, `format`) and rate limits:
//! <https://help.dreamhost.com/hc/en-us/articles/4407354972692-Connecting-to-the-DreamHost-API>.

use std::time::Duration;

use hickory_proto::rr::{Name, RData, RecordType};
use reqwest::Method;
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, endpoint_url, short};
use super::text::{parse_presentation, presentation};
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, plain_name,
};

/// The documented API base.
pub const DEFAULT_ENDPOINT: &str = "https://api.dreamhost.com/";

/// How long dnsup waits after `slow_down_bucko` (the limits are per hour or per day and the
/// answer gives no time).
pub const SLOW_DOWN_WAIT: u64 = 3600;

/// What this provider can do (also listed by `dnsup providers`).
pub const CAPABILITIES: Capabilities = Capabilities {
    types: &[RecordType::A, RecordType::AAAA, RecordType::CNAME],
    ttl: false,
    ..Capabilities::READ_WRITE
};

/// `type = "dreamhost"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// An API key allowed the `dns-*` commands (panel, API).
    pub api_key: SecretRef,
    /// HTTP settings.
    #[serde(default)]
    pub http: HttpSettings,
}

/// DreamHost.
#[derive(Debug)]
pub struct Dreamhost {
    http: Http,
    settings: HttpSettings,
    key: Secret,
}

/// One line of `dns-list_records`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The zone it is in.
    pub zone: String,
    /// Its full name (no final dot).
    pub record: String,
    /// Its type.
    pub rtype: String,
    /// Its value as listed (what `dns-remove_record` wants back).
    pub value: String,
    /// Whether it may be changed through the API (`editable` 1; DreamHost's own records
    /// for a hosted site are 0).
    pub editable: bool,
}

/// The body of an answer: `Ok(lines after "success")` or the error it states.
pub fn result(r: &Response) -> Result<Vec<String>, ProviderError> {
    let text = r.text();
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.next().unwrap_or("").trim();
    match first {
        "success" => Ok(lines.map(str::to_string).collect()),
        "error" => {
            let detail = lines.next().unwrap_or("").to_string();
            Err(error(&detail))
        }
        _ => Err(ProviderError::Protocol(format!(
            "DreamHost answered neither success nor error: {}",
            short(&text)
        ))),
    }
}

/// The error an `error` answer's code line means (`code<TAB>details`).
pub fn error(line: &str) -> ProviderError {
    let code = line.split('\t').next().unwrap_or("").trim();
    let shown = short(line);
    if code == "slow_down_bucko" {
        ProviderError::Throttled(format!("DreamHost: {shown}"), SLOW_DOWN_WAIT)
    } else if code.contains("key") {
        ProviderError::Auth(format!("DreamHost: {shown}"))
    } else {
        ProviderError::Refused(format!("DreamHost: {shown}"))
    }
}

/// `dns-list_records` (2xx): its records, columns found by the header line.
pub fn parse_list(r: &Response) -> Result<Vec<Listed>, ProviderError> {
    let lines = result(r)?;
    let mut it = lines.iter().filter(|l| !l.trim().is_empty());
    let Some(header) = it.next() else {
        return Ok(Vec::new());
    };
    let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
    let at = |name: &str| {
        cols.iter().position(|c| *c == name).ok_or_else(|| {
            ProviderError::Protocol(format!("DreamHost's listing has no {name} column"))
        })
    };
    let (zone, record, rtype, value) = (at("zone")?, at("record")?, at("type")?, at("value")?);
    let editable = cols.iter().position(|c| *c == "editable");
    let mut out = Vec::new();
    for line in it {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| {
            f.get(i).map(|s| s.to_string()).ok_or_else(|| {
                ProviderError::Protocol(format!("DreamHost listed a short line: {}", short(line)))
            })
        };
        out.push(Listed {
            zone: get(zone)?,
            record: get(record)?,
            rtype: get(rtype)?,
            value: get(value)?,
            editable: editable
                .and_then(|i| f.get(i))
                .is_none_or(|e| e.trim() != "0"),
        });
    }
    Ok(out)
}

/// The zones in a listing.
pub fn zones(list: &[Listed]) -> Vec<Name> {
    let mut out: Vec<Name> = list
        .iter()
        .filter_map(|l| Name::from_ascii(format!("{}.", l.zone.trim_end_matches('.'))).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The values of `key` in a listing, each with its listing line.
pub fn values_of<'a>(
    list: &'a [Listed],
    zone: &Name,
    key: &RrsetKey,
) -> Result<Vec<(RData, &'a Listed)>, ProviderError> {
    let (name, rtype) = (plain_name(&key.name), key.rtype.to_string());
    list.iter()
        .filter(|l| l.rtype == rtype && l.record.eq_ignore_ascii_case(&name))
        .map(|l| Ok((parse_presentation(key.rtype, &l.value, zone)?, l)))
        .collect()
}

impl Dreamhost {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        // The limits are per hour or day and generous; a pass needs a few calls.
        let ([key], http) = Http::configured(
            setup,
            [(&c.api_key, "api_key")],
            &c.http,
            Duration::from_millis(500),
        )?;
        Ok(Dreamhost {
            http,
            settings: c.http.clone(),
            key,
        })
    }

    fn request(&self, cmd: &str, args: &[(&str, &str)]) -> Result<Request, ProviderError> {
        let url = endpoint_url(&self.settings, DEFAULT_ENDPOINT, &[])?;
        Ok(Request::new(Method::GET, url)
            .query(&[("key", self.key.expose()), ("cmd", cmd)])
            .query(args))
    }

    async fn call(&self, cmd: &str, args: &[(&str, &str)]) -> Result<Response, ProviderError> {
        let r = self.request(cmd, args)?;
        self.http
            .send_ok(&r, |b| short(&String::from_utf8_lossy(b)))
            .await
    }

    async fn list(&self) -> Result<Vec<Listed>, ProviderError> {
        parse_list(&self.call("dns-list_records", &[]).await?)
    }

    async fn change(&self, cmd: &str, key: &RrsetKey, value: &str) -> Result<(), ProviderError> {
        let (name, rtype) = (plain_name(&key.name), key.rtype.to_string());
        let r = self
            .call(
                cmd,
                &[("record", &name), ("type", &rtype), ("value", value)],
            )
            .await?;
        result(&r).map(|_| ())
    }
}

impl Provider for Dreamhost {
    fn label(&self) -> String {
        "dreamhost".into()
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = zones(&self.list().await?);
        longest_zone(name, &zones).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no zone this DreamHost key reaches holds {name} ({} zones listed)",
                zones.len()
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let list = self.list().await?;
        let values = values_of(&list, zone, key)?;
        Ok(Rrset {
            ttl: None,
            values: values.into_iter().map(|(v, _)| v).collect(),
        })
    }

    async fn replace(
        &self,
        zone: &Name,
        key: &RrsetKey,
        expected: &[RData],
        new: &[RData],
        _ttl: u32,
    ) -> Result<Applied, ProviderError> {
        let list = self.list().await?;
        let held = values_of(&list, zone, key)?;
        let actual = Rrset {
            ttl: None,
            values: held.iter().map(|(v, _)| v.clone()).collect(),
        };
        if let Some(conflict) = check_expected(key, &actual, expected) {
            return Ok(conflict);
        }
        let adds: Vec<&RData> = {
            let mut a: Vec<&RData> = Vec::new();
            for v in new {
                if !held.iter().any(|(h, _)| h == v) && !a.contains(&v) {
                    a.push(v);
                }
            }
            a
        };
        let removes: Vec<&Listed> = held
            .iter()
            .filter(|(v, _)| !new.contains(v))
            .map(|(_, l)| *l)
            .collect();
        // Refused before anything is sent: a half-made change would leave both values.
        if let Some(l) = removes.iter().find(|l| !l.editable) {
            return Err(ProviderError::Refused(format!(
                "{key}: DreamHost manages the value {} itself (not editable through the API); \
                 make the name DNS-only in the panel, or update another name",
                l.value
            )));
        }
        // Adds first, so the name is never left without a value while it changes; but a
        // CNAME cannot sit beside another (`CNAME_already_on_record`), so it is removed first.
        let remove_first = key.rtype == RecordType::CNAME;
        if remove_first {
            for l in &removes {
                self.change("dns-remove_record", key, &l.value).await?;
            }
        }
        for v in adds {
            self.change("dns-add_record", key, &presentation(v)).await?;
        }
        if !remove_first {
            for l in &removes {
                self.change("dns-remove_record", key, &l.value).await?;
            }
        }
        Ok(Applied::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Response {
        Response {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            what: "GET /".into(),
        }
    }

    #[test]
    fn documented_listing_parses() {
        let r = answer(
            "success\naccount_id\tzone\trecord\ttype\tvalue\tcomment\teditable\n1\t718apts.com\t718apts.com\tA\t1.2.3.4\t\t0\n1\t718apts.com\ttest.718apts.com\tCNAME\tghs.google.com.\tA test I did.\t1\n",
        );
        let list = parse_list(&r).unwrap();
        assert_eq!(list.len(), 2);
        let zone = Name::from_ascii("718apts.com.").unwrap();
        assert_eq!(zones(&list), vec![zone.clone()]);
        let key = RrsetKey {
            name: Name::from_ascii("test.718apts.com.").unwrap(),
            rtype: RecordType::CNAME,
        };
        let v = values_of(&list, &zone, &key).unwrap();
        assert_eq!(v[0].1.value, "ghs.google.com.");
        assert!(v[0].1.editable && !list[0].editable);
    }

    #[test]
    fn errors_are_read() {
        let e = result(&answer("error\nslow_down_bucko\thourly limit")).unwrap_err();
        assert!(matches!(e, ProviderError::Throttled(_, SLOW_DOWN_WAIT)));
        let e = result(&answer("error\nno_key")).unwrap_err();
        assert!(matches!(e, ProviderError::Auth(_)));
        let e = result(&answer("error\nno_such_zone")).unwrap_err();
        assert!(matches!(e, ProviderError::Refused(_)));
        assert!(result(&answer("<html>")).is_err());
    }
}
