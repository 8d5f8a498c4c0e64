//! PowerDNS Authoritative's HTTP API (v1), for a self-hosted PowerDNS.
//!
//! Documentation (PowerDNS Authoritative 4.x):
//! - <https://doc.powerdns.com/authoritative/http-api/index.html> (X-API-Key, error bodies)
//! - <https://doc.powerdns.com/authoritative/http-api/zone.html> (zones, RRsets, PATCH with
//!   `changetype` `REPLACE`/`DELETE`, comments, `rrset_name`/`rrset_type` filters)
//! - <https://doc.powerdns.com/authoritative/settings.html#api> (`api`, `api-key`, `webserver-*`)
//!
//! Requests: `GET /api/v1/servers/{server_id}/zones` lists zones (their opaque `id`, used as
//! given, and `name`); `GET .../zones/{zone_id}?rrset_name=N&rrset_type=T` reads one RRset
//! (servers that ignore the filters answer the whole zone: the RRset is picked out here either
//! way). Before a write the whole zone is read instead (`GET .../zones/{zone_id}`), because
//! PowerDNS 4.7 leaves disabled records out of a filtered answer; then `PATCH .../zones/{zone_id}` with one RRset and `changetype` `REPLACE`
//! (records given, comments not sent, so PowerDNS keeps the RRset's comments) or `DELETE`.
//! Every other RRset of the zone is left alone.
//!
//! Disabled records (`"disabled": true`) are not served by PowerDNS, so `read` does not return
//! them (a read matches what DNS answers). A replace keeps them, still disabled, so a user's
//! parked value survives; a new value equal to a disabled one is written enabled instead. An
//! RRset holding only disabled records reads as absent; deleting an RRset that still has
//! disabled records keeps those (REPLACE with only them) rather than dropping them.
//!
//! The guard is read-then-write: PowerDNS has no conditional PATCH.
//!
//! Plain `http://` is accepted here (and only here), since PowerDNS' webserver serves no TLS
//! itself; to anything but a loopback address that sends the API key in clear, so building the
//! provider then warns.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use hickory_proto::rr::{Name, RData};
use serde::Deserialize;

use super::build::Setup;
use super::http::{Http, HttpSettings, Request, Response, short};
use super::text::presentation;
use super::{
    Applied, Capabilities, Provider, ProviderError, Rrset, RrsetKey, Secret, SecretRef,
    check_expected, longest_zone, same_values,
};
use crate::update::{parse_rdata, type_name};

/// `type = "powerdns"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The webserver's base URL, e.g. `http://127.0.0.1:8081` (a path prefix of a reverse
    /// proxy is kept; a trailing `/api/v1` may be given or not).
    pub url: String,
    /// The `api-key` of the PowerDNS configuration.
    pub api_key: SecretRef,
    /// The server id in API paths (default `localhost`, the only one PowerDNS has).
    #[serde(default = "default_server_id")]
    pub server_id: String,
    /// HTTP settings (`endpoint` is not used: give `url`).
    #[serde(default)]
    pub http: HttpSettings,
}

fn default_server_id() -> String {
    "localhost".into()
}

/// A PowerDNS Authoritative server reached through its HTTP API.
#[derive(Debug)]
pub struct PowerDns {
    http: Http,
    /// `.../api/v1/servers/{server_id}/zones`.
    zones_url: reqwest::Url,
    key: Secret,
    label: String,
    server_id: String,
    /// Zone name to zone id, from the last listing.
    zones: Mutex<Vec<(Name, String)>>,
}

#[derive(Debug, Deserialize)]
struct ZoneInfo {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct ZoneDetail {
    #[serde(default)]
    rrsets: Vec<RrsetJson>,
}

#[derive(Debug, Deserialize)]
struct RrsetJson {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    ttl: Option<u32>,
    #[serde(default)]
    records: Vec<RecordJson>,
}

#[derive(Debug, Deserialize, Clone)]
struct RecordJson {
    content: String,
    #[serde(default)]
    pub(crate) disabled: bool,
}

/// One RRset as PowerDNS holds it, disabled records included.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    ttl: Option<u32>,
    pub(crate) enabled: Vec<RData>,
    pub(crate) disabled: Vec<String>,
}

impl PowerDns {
    /// Build from configuration.
    pub fn new(c: &Config, setup: &mut Setup) -> Result<Self, String> {
        if c.http.endpoint.is_some() {
            return Err("powerdns: give the API's address as url, not http.endpoint".into());
        }
        let mut url = reqwest::Url::parse(c.url.trim())
            .map_err(|e| format!("powerdns: url '{}': {e}", c.url))?;
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&url) {
                    setup.warnings.push(format!(
                        "powerdns: {} is plain http to a host that is not loopback: the API key \
                         crosses the network in clear (put PowerDNS behind an HTTPS proxy)",
                        url.host_str().unwrap_or("?")
                    ));
                }
            }
            other => return Err(format!("powerdns: url '{}': scheme {other}", c.url)),
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(format!(
                "powerdns: url '{}': give only scheme, host, port and path",
                c.url
            ));
        }
        if c.server_id.is_empty() || c.server_id.contains('/') {
            return Err(format!(
                "powerdns: server_id '{}' is not an id",
                c.server_id
            ));
        }
        let label = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("powerdns {h}:{p}"),
            (Some(h), None) => format!("powerdns {h}"),
            _ => "powerdns".into(),
        };
        {
            let mut segs = url
                .path_segments_mut()
                .map_err(|_| format!("powerdns: url '{}' cannot have a path", c.url))?;
            segs.pop_if_empty();
        }
        let has_api = url.path().trim_end_matches('/').ends_with("/api/v1");
        {
            let mut segs = url.path_segments_mut().expect("checked above");
            if !has_api {
                segs.extend(["api", "v1"]);
            }
            segs.extend(["servers", c.server_id.as_str(), "zones"]);
        }
        let key = setup.secret(&c.api_key, "api_key")?;
        let http = Http::new(&c.http, Duration::ZERO, vec![key.clone()], true)?;
        Ok(PowerDns {
            http,
            zones_url: url,
            key,
            label,
            server_id: c.server_id.clone(),
            zones: Mutex::new(Vec::new()),
        })
    }

    fn zone_url(&self, id: &str) -> reqwest::Url {
        let mut url = self.zones_url.clone();
        url.path_segments_mut().expect("a base URL").push(id);
        url
    }

    fn request(&self, method: reqwest::Method, url: reqwest::Url) -> Request {
        Request::new(method, url)
            .header("x-api-key", self.key.expose())
            .header("accept", "application/json")
    }

    /// List the server's zones and remember their ids.
    async fn list_zones(&self) -> Result<Vec<(Name, String)>, ProviderError> {
        let r = self
            .http
            .send(&self.request(reqwest::Method::GET, self.zones_url.clone()))
            .await?;
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        let zones = parse_zones(&r)?;
        *self.zones.lock().unwrap_or_else(|p| p.into_inner()) = zones.clone();
        Ok(zones)
    }

    /// The id of `zone`, listing the zones when it is not known yet.
    async fn zone_id(&self, zone: &Name) -> Result<String, ProviderError> {
        let cached = {
            let zones = self.zones.lock().unwrap_or_else(|p| p.into_inner());
            zones
                .iter()
                .find(|(n, _)| n == zone)
                .map(|(_, id)| id.clone())
        };
        if let Some(id) = cached {
            return Ok(id);
        }
        self.list_zones()
            .await?
            .into_iter()
            .find(|(n, _)| n == zone)
            .map(|(_, id)| id)
            .ok_or_else(|| self.no_zone(zone))
    }

    fn no_zone(&self, zone: &Name) -> ProviderError {
        ProviderError::Refused(format!(
            "PowerDNS server '{}' has no zone {zone}",
            self.server_id
        ))
    }

    fn forget_zones(&self) {
        self.zones.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The RRset as stored, disabled records apart. `whole`: read the whole zone, since
    /// PowerDNS 4.7 leaves disabled records out of an answer filtered by `rrset_name`.
    async fn fetch(
        &self,
        zone: &Name,
        id: &str,
        key: &RrsetKey,
        whole: bool,
    ) -> Result<Stored, ProviderError> {
        let rtype = type_name(key.rtype);
        let owner = key.name.to_ascii();
        let mut req = self.request(reqwest::Method::GET, self.zone_url(id));
        if !whole {
            req = req.query(&[
                ("rrset_name", owner.as_str()),
                ("rrset_type", rtype.as_str()),
            ]);
        }
        let r = self.http.send(&req).await?;
        if r.status == 404 {
            self.forget_zones();
            return Err(self.no_zone(zone));
        }
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        parse_stored(&r, zone, key)
    }
}

/// The zones of a `GET .../zones` answer (2xx), with their ids.
pub(crate) fn parse_zones(r: &Response) -> Result<Vec<(Name, String)>, ProviderError> {
    let listed: Vec<ZoneInfo> = r.json()?;
    let mut zones = Vec::new();
    for z in listed {
        let name = Name::from_ascii(&z.name).map_err(|e| {
            ProviderError::Protocol(format!("{}: zone name '{}': {e}", r.what, z.name))
        })?;
        zones.push((name, z.id));
    }
    Ok(zones)
}

/// `key`'s RRset in a `GET .../zones/{zone_id}` answer (2xx), disabled records apart.
pub(crate) fn parse_stored(
    r: &Response,
    zone: &Name,
    key: &RrsetKey,
) -> Result<Stored, ProviderError> {
    let rtype = type_name(key.rtype);
    let detail: ZoneDetail = r.json()?;
    let mut stored = Stored::default();
    for set in detail.rrsets {
        let same_name = Name::from_ascii(&set.name).is_ok_and(|n| n == key.name);
        if !same_name || !set.rtype.eq_ignore_ascii_case(&rtype) {
            continue;
        }
        for rec in set.records {
            if rec.disabled {
                stored.disabled.push(rec.content);
                continue;
            }
            let v = parse_rdata(key.rtype, &rec.content, zone)
                .map_err(|e| ProviderError::Protocol(format!("{}: {key} holds {e}", r.what)))?;
            stored.enabled.push(v);
        }
        if !stored.enabled.is_empty() {
            stored.ttl = set.ttl;
        }
    }
    Ok(stored)
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// PowerDNS' error body: `{"error": "..."}` (JSON answers), else the text (`Unauthorized`,
/// `Not Found`), shortened.
pub(crate) fn error_detail(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(e) = v.get("error").and_then(|e| e.as_str())
    {
        return short(e);
    }
    short(String::from_utf8_lossy(body).trim())
}

impl Provider for PowerDns {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::READ_WRITE
    }

    async fn find_zone(&self, name: &Name) -> Result<Name, ProviderError> {
        let zones = self.list_zones().await?;
        let names: Vec<Name> = zones.into_iter().map(|(n, _)| n).collect();
        longest_zone(name, &names).ok_or_else(|| {
            ProviderError::Refused(format!(
                "no zone of PowerDNS server '{}' holds {name}",
                self.server_id
            ))
        })
    }

    async fn read(&self, zone: &Name, key: &RrsetKey) -> Result<Rrset, ProviderError> {
        let id = self.zone_id(zone).await?;
        let stored = self.fetch(zone, &id, key, false).await?;
        Ok(Rrset {
            ttl: stored.ttl,
            values: stored.enabled,
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
        let stored = self.fetch(zone, &id, key, true).await?;
        let current = Rrset {
            ttl: stored.ttl,
            values: stored.enabled.clone(),
        };
        if let Some(conflict) = check_expected(key, &current, expected) {
            return Ok(conflict);
        }
        if same_values(&stored.enabled, new) && (new.is_empty() || stored.ttl == Some(ttl)) {
            return Ok(Applied::Done);
        }
        let body = patch_body(key, zone, &stored.disabled, new, ttl);
        let req = self
            .request(reqwest::Method::PATCH, self.zone_url(&id))
            .json(&body);
        let r = self.http.send(&req).await?;
        if r.status == 404 {
            self.forget_zones();
            return Err(self.no_zone(zone));
        }
        if !r.ok() {
            return Err(self.http.fail(&r, error_detail));
        }
        Ok(Applied::Done)
    }
}

/// The PATCH body making `key` hold `new`, keeping `disabled` records that are not among
/// `new`; `DELETE` when nothing is left.
pub(crate) fn patch_body(
    key: &RrsetKey,
    zone: &Name,
    disabled: &[String],
    new: &[RData],
    ttl: u32,
) -> serde_json::Value {
    let mut records: Vec<serde_json::Value> = new
        .iter()
        .map(|v| serde_json::json!({"content": presentation(v), "disabled": false}))
        .collect();
    for d in disabled {
        let revived = parse_rdata(key.rtype, d, zone).is_ok_and(|v| new.contains(&v));
        if !revived {
            records.push(serde_json::json!({"content": d, "disabled": true}));
        }
    }
    let name = key.name.to_ascii();
    let rtype = type_name(key.rtype);
    let set = if records.is_empty() {
        serde_json::json!({"name": name, "type": rtype, "changetype": "DELETE"})
    } else {
        serde_json::json!({
            "name": name, "type": rtype, "ttl": ttl, "changetype": "REPLACE", "records": records
        })
    };
    serde_json::json!({ "rrsets": [set] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;
    use std::str::FromStr;

    fn provider(url: &str) -> (Result<PowerDns, String>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        std::fs::write(&file, "k3y-value\n").unwrap();
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        let c: Config = toml::from_str(&format!(
            "url = \"{url}\"\napi_key = {{ file = \"{}\" }}\n",
            file.display()
        ))
        .unwrap();
        let mut setup = Setup::default();
        let p = PowerDns::new(&c, &mut setup);
        (p, setup.warnings)
    }

    #[test]
    fn urls_and_warnings() {
        let (p, w) = provider("http://127.0.0.1:8081");
        let p = p.unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            p.zone_url("example.test.").as_str(),
            "http://127.0.0.1:8081/api/v1/servers/localhost/zones/example.test."
        );
        assert_eq!(
            p.zone_url("a=2Fb.example.").path(),
            "/api/v1/servers/localhost/zones/a=2Fb.example."
        );
        assert_eq!(p.label(), "powerdns 127.0.0.1:8081");
        let (p, w) = provider("http://dns.example:8081/pdns/api/v1/");
        assert_eq!(
            p.unwrap().zones_url.path(),
            "/pdns/api/v1/servers/localhost/zones"
        );
        assert_eq!(w.len(), 1, "plain http off loopback warns");
        let (_, w) = provider("https://dns.example");
        assert!(w.is_empty());
        assert!(provider("ftp://x").0.is_err());
    }

    #[test]
    fn patch_bodies() {
        let zone = Name::from_str("example.test.").unwrap();
        let key = RrsetKey {
            name: Name::from_str("h.example.test.").unwrap(),
            rtype: RecordType::A,
        };
        let a = |s: &str| parse_rdata(RecordType::A, s, &zone).unwrap();
        let b = patch_body(&key, &zone, &[], &[a("192.0.2.1")], 60);
        assert_eq!(
            b,
            serde_json::json!({"rrsets": [{"name": "h.example.test.", "type": "A", "ttl": 60,
                "changetype": "REPLACE",
                "records": [{"content": "192.0.2.1", "disabled": false}]}]})
        );
        let b = patch_body(&key, &zone, &[], &[], 60);
        assert_eq!(
            b,
            serde_json::json!({"rrsets": [{"name": "h.example.test.", "type": "A",
                "changetype": "DELETE"}]})
        );
        // Disabled records stay, unless the new values hold them.
        let parked = vec!["192.0.2.9".to_string(), "192.0.2.1".to_string()];
        let b = patch_body(&key, &zone, &parked, &[a("192.0.2.1")], 60);
        assert_eq!(
            b["rrsets"][0]["records"],
            serde_json::json!([{"content": "192.0.2.1", "disabled": false},
                {"content": "192.0.2.9", "disabled": true}])
        );
        let b = patch_body(&key, &zone, &parked[..1], &[], 60);
        assert_eq!(b["rrsets"][0]["changetype"], "REPLACE");
    }

    #[test]
    fn error_details() {
        assert_eq!(
            error_detail(br#"{"error": "Record x./A '1': bad"}"#),
            "Record x./A '1': bad"
        );
        assert_eq!(error_detail(b"Unauthorized"), "Unauthorized");
        assert_eq!(short(&"x".repeat(300)).len(), 203);
    }
}
