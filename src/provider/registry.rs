//! One place that lists every provider dnsup knows: its name, how it is configured, its API
//! style, what it can do ([`Capabilities`]), the credentials it takes, where its API is
//! documented, and whether the service still exists. `dnsup providers` prints it (a table or
//! `--json`), and the README's provider table is generated from it (a test fails when they
//! drift: `tests/providers/registry.rs`).
//!
//! Adapters own their capabilities (`CAPABILITIES` next to the code that honours them); the
//! presets' come from their row ([`super::preset`]).

use hickory_proto::rr::RecordType;
use serde_json::json;

use super::preset::{self, PRESETS, Preset};
use super::{Capabilities, Guard, update_only};

/// How a provider is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// RFC 2136 UPDATE (DNS, TSIG).
    Rfc2136,
    /// A JSON/XML REST API with a token or key.
    Rest,
    /// A REST API whose requests are signed (HMAC, SigV4, TC3, ...).
    Signed,
    /// The dyndns2 protocol or a simple GET update URL (a preset).
    Update,
    /// A user-described HTTP request.
    Template,
}

impl Style {
    /// The word shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Rfc2136 => "rfc2136",
            Style::Rest => "rest",
            Style::Signed => "signed",
            Style::Update => "update-url",
            Style::Template => "template",
        }
    }
}

/// One provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name: a `type` (`cloudflare`) or a preset (`he`).
    pub name: &'static str,
    /// The service as people call it.
    pub title: &'static str,
    /// How to configure it (`type = "dyndns2", service = "he"`).
    pub config: String,
    /// How it is reached.
    pub style: Style,
    /// What it can do.
    pub caps: Capabilities,
    /// The configuration keys of its credentials.
    pub credentials: &'static str,
    /// Where its API is documented.
    pub docs: &'static str,
    /// Limits and quirks, one line.
    pub notes: &'static str,
    /// `Some(why)`: the service no longer exists.
    pub dead: Option<&'static str>,
}

const ANY: &[RecordType] = &[];

/// The adapters (`type = ...`), one row each.
fn adapters() -> Vec<Entry> {
    use super::{
        alibaba, bunny, cloudflare, desec, digitalocean, dnspod, duckdns, gandi, gcore, godaddy,
        hetzner, ionos, namecheap, namecom, namesilo, porkbun, route53, tencent, vultr,
    };
    // REST batch of issue 15 (kept together to ease merges).
    use super::{cloudns, dreamhost, linode, ns1, scaleway, spaceship, vercel};
    let rw = Capabilities::READ_WRITE;
    let row = |name: &'static str,
               title: &'static str,
               style: Style,
               caps: Capabilities,
               credentials: &'static str,
               docs: &'static str,
               notes: &'static str| Entry {
        name,
        title,
        config: format!("type = \"{name}\""),
        style,
        caps,
        credentials,
        docs,
        notes,
        dead: None,
    };
    vec![
        row(
            "rfc2136",
            "RFC 2136 (BIND, Knot, PowerDNS, ...)",
            Style::Rfc2136,
            Capabilities {
                guard: Guard::Atomic,
                ..rw
            },
            "key_file or key_env (TSIG)",
            "https://www.rfc-editor.org/rfc/rfc2136",
            "server-checked prerequisites",
        ),
        row(
            "powerdns",
            "PowerDNS Authoritative API",
            Style::Rest,
            rw,
            "url, api_key, server_id",
            "https://doc.powerdns.com/authoritative/http-api/",
            "",
        ),
        row(
            "cloudflare",
            "Cloudflare",
            Style::Rest,
            cloudflare::CAPABILITIES,
            "token, zone_id, proxied",
            "https://developers.cloudflare.com/api/resources/dns/subresources/records/",
            "proxied records get an automatic TTL",
        ),
        row(
            "route53",
            "Amazon Route 53",
            Style::Signed,
            route53::CAPABILITIES,
            "access_key_id, secret_access_key, session_token",
            "https://docs.aws.amazon.com/Route53/latest/APIReference/",
            "atomic: DELETE-exact + CREATE in one change batch (SigV4)",
        ),
        row(
            "desec",
            "deSEC",
            Style::Rest,
            desec::CAPABILITIES,
            "token",
            "https://desec.readthedocs.io/en/latest/dns/rrsets.html",
            "TTL at least the domain's minimum (3600 s by default; lower is refused)",
        ),
        row(
            "hetzner",
            "Hetzner (Cloud API)",
            Style::Rest,
            hetzner::CAPABILITIES,
            "token",
            "https://docs.hetzner.cloud/reference/cloud#zone-rrsets",
            "",
        ),
        row(
            "digitalocean",
            "DigitalOcean",
            Style::Rest,
            digitalocean::CAPABILITIES,
            "token",
            "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records",
            "no TXT (no exact round trip)",
        ),
        row(
            "gandi",
            "Gandi LiveDNS",
            Style::Rest,
            gandi::CAPABILITIES,
            "token",
            "https://api.gandi.net/docs/livedns/",
            "",
        ),
        row(
            "porkbun",
            "Porkbun",
            Style::Rest,
            porkbun::CAPABILITIES,
            "api_key, secret_api_key",
            "https://porkbun.com/api/json/v3/documentation",
            "",
        ),
        row(
            "godaddy",
            "GoDaddy",
            Style::Rest,
            godaddy::CAPABILITIES,
            "key, secret, shopper_id",
            "https://developer.godaddy.com/doc/endpoint/domains",
            "",
        ),
        row(
            "alibaba",
            "Alibaba Cloud DNS (AliDNS)",
            Style::Signed,
            alibaba::CAPABILITIES,
            "access_key_id, access_key_secret",
            "https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-dir-parsing-records",
            "",
        ),
        row(
            "tencent",
            "Tencent Cloud DNSPod",
            Style::Signed,
            tencent::CAPABILITIES,
            "secret_id, secret_key",
            "https://www.tencentcloud.com/document/api/1157/49025",
            "TC3-HMAC-SHA256",
        ),
        row(
            "ionos",
            "IONOS",
            Style::Rest,
            ionos::CAPABILITIES,
            "api_key (PREFIX.SECRET)",
            "https://developer.hosting.ionos.com/docs/dns",
            "no TXT (no documented escaping); disabled records left alone",
        ),
        row(
            "namecom",
            "Name.com",
            Style::Rest,
            namecom::CAPABILITIES,
            "username, token",
            "https://docs.name.com/docs/api-reference/dns/list-records",
            "no TXT (no documented escaping)",
        ),
        row(
            "vultr",
            "Vultr",
            Style::Rest,
            vultr::CAPABILITIES,
            "token",
            "https://www.vultr.com/api/#tag/dns",
            "no TXT (no documented escaping)",
        ),
        row(
            "dnspod",
            "DNSPod (legacy token API)",
            Style::Rest,
            dnspod::CAPABILITIES,
            "token_id, token",
            "https://docs.dnspod.cn/api/5f561f9ee75cf42d25bf6720/",
            "default line only; Tencent Cloud keys: type = \"tencent\"",
        ),
        row(
            "bunny",
            "Bunny DNS",
            Style::Rest,
            bunny::CAPABILITIES,
            "api_key",
            "https://docs.bunny.net/reference/dnszonepublic_index",
            "no TXT (no documented escaping)",
        ),
        row(
            "gcore",
            "Gcore Managed DNS",
            Style::Rest,
            gcore::CAPABILITIES,
            "token",
            "https://api.gcore.com/docs/dns#tag/RRsets",
            "no TXT (no documented escaping)",
        ),
        row(
            "namesilo",
            "NameSilo",
            Style::Rest,
            namesilo::CAPABILITIES,
            "domain, api_key",
            "https://www.namesilo.com/api-reference",
            "no TXT (no documented escaping); the key travels in the query (scrubbed)",
        ),
        // Batch B (issue 15): kept together to ease merges.
        row(
            "mythicbeasts",
            "Mythic Beasts",
            Style::Rest,
            super::mythicbeasts::CAPABILITIES,
            "key_id, secret",
            "https://www.mythic-beasts.com/support/api/dnsv2",
            "no TXT (no documented escaping); CNAME targets sent absolute",
        ),
        row(
            "hostinger",
            "Hostinger",
            Style::Rest,
            super::hostinger::CAPABILITIES,
            "token",
            "https://developers.hostinger.com/#tag/dns-zone",
            "no TXT (no documented escaping); a replace drops disabled records of that name and type",
        ),
        row(
            "servercow",
            "Servercow",
            Style::Rest,
            super::servercow::CAPABILITIES,
            "domain, username, password",
            "https://wiki.servercow.de/en/domains/dns_api/api-syntax",
            "one value per name (lists only for TXT/CAA/TLSA); no TXT (no documented escaping); the domain is configured",
        ),
        // End of batch B.
        // REST batch of issue 15: Spaceship, ClouDNS, Linode, NS1, ...
        row(
            "spaceship",
            "Spaceship",
            Style::Rest,
            spaceship::CAPABILITIES,
            "api_key, api_secret",
            "https://docs.spaceship.dev/",
            "A/AAAA only (other types use undocumented per-type fields)",
        ),
        row(
            "cloudns",
            "ClouDNS",
            Style::Rest,
            cloudns::CAPABILITIES,
            "auth_id (or sub_auth_id, sub_auth_user), auth_password",
            "https://www.cloudns.net/wiki/article/41/",
            "TTL one of 60, 300, 900, 1800, 3600, 21600, 43200, 86400, 172800, 259200, 604800, 1209600, 2592000 s (rounded up); no TXT (no documented escaping); credentials sent as a POST form",
        ),
        row(
            "linode",
            "Linode (Akamai Cloud) Domains",
            Style::Rest,
            linode::CAPABILITIES,
            "token",
            "https://techdocs.akamai.com/linode-api/reference/get-domain-records",
            "TTL one of 300, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800, 1209600, 2419200 s (rounded up); no TXT (no documented escaping)",
        ),
        row(
            "ns1",
            "NS1 (IBM NS1 Connect)",
            Style::Rest,
            ns1::CAPABILITIES,
            "api_key",
            "https://ns1.com/api",
            "no TXT (no documented escaping); a record's filters and metadata are kept",
        ),
        row(
            "vercel",
            "Vercel DNS",
            Style::Rest,
            vercel::CAPABILITIES,
            "token, team_id",
            "https://vercel.com/docs/rest-api/endpoints/dns",
            "no TXT (no documented escaping)",
        ),
        row(
            "scaleway",
            "Scaleway Domains and DNS",
            Style::Rest,
            scaleway::CAPABILITIES,
            "secret_key",
            "https://www.scaleway.com/en/developers/api/domains-and-dns/",
            "no TXT (no documented escaping); an RRset is replaced in one request",
        ),
        row(
            "dreamhost",
            "DreamHost",
            Style::Rest,
            dreamhost::CAPABILITIES,
            "api_key",
            "https://help.dreamhost.com/hc/en-us/articles/217555707-DNS-API-commands",
            "no TXT (no documented escaping); TTL set by DreamHost; a change is add then remove; the key travels in the URL",
        ),
        // End of the REST batch of issue 15.
        row(
            "duckdns",
            "Duck DNS",
            Style::Update,
            duckdns::CAPABILITIES,
            "token",
            "https://www.duckdns.org/spec.jsp",
            "names under duckdns.org only",
        ),
        row(
            "namecheap",
            "Namecheap dynamic DNS",
            Style::Update,
            namecheap::CAPABILITIES,
            "domain, password",
            "https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/",
            "",
        ),
        row(
            "dyndns2",
            "any dyndns2 service (url or server)",
            Style::Update,
            update_only::capabilities(&[RecordType::A, RecordType::AAAA]),
            "url or server, username, password, contact",
            "https://help.dyn.com/remote-access-api/perform-update/",
            "presets below: service = \"NAME\"",
        ),
        row(
            "template",
            "any HTTP API (URL and body templates)",
            Style::Template,
            Capabilities {
                read: false,
                guard: Guard::None,
                delete: false,
                multiple_values: false,
                ttl: false,
                min_ttl: 0,
                ttl_set: &[],
                types: ANY,
            },
            "url, method, headers, body, secret, success, delete_url",
            "https://github.com/dnsup/dnsup/blob/main/contrib/dnsup.toml",
            "delete with delete_url, several values with {values}, TTL with {ttl}",
        ),
    ]
}

/// The signed and OAuth cloud APIs (one block, kept together).
fn signed_clouds() -> Vec<Entry> {
    use super::{alibaba_esa, baidu, edgeone, gcloud, huawei, ovh, volcengine};
    let row = |name: &'static str,
               title: &'static str,
               caps: Capabilities,
               credentials: &'static str,
               docs: &'static str,
               notes: &'static str| Entry {
        name,
        title,
        config: format!("type = \"{name}\""),
        style: Style::Signed,
        caps,
        credentials,
        docs,
        notes,
        dead: None,
    };
    vec![
        row(
            "edgeone",
            "Tencent Cloud EdgeOne",
            edgeone::CAPABILITIES,
            "secret_id, secret_key",
            "https://www.tencentcloud.com/document/api/1145/50484",
            "TC3-HMAC-SHA256; Default location only; no TXT (no documented escaping)",
        ),
        row(
            "alibaba-esa",
            "Alibaba Cloud ESA (Edge Security Acceleration)",
            alibaba_esa::CAPABILITIES,
            "access_key_id, access_key_secret",
            "https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/api-esa-2024-09-10-listrecords",
            "RPC signature v1; records not proxied; no TXT (no documented escaping)",
        ),
        row(
            "huawei",
            "Huawei Cloud DNS",
            huawei::CAPABILITIES,
            "access_key_id, secret_access_key",
            "https://support.huaweicloud.com/intl/en-us/api-dns/dns_api_64004.html",
            "SDK-HMAC-SHA256; public zones, default line; whole record sets",
        ),
        row(
            "baidu",
            "Baidu AI Cloud DNS (BCD resolution)",
            baidu::CAPABILITIES,
            "domain, access_key_id, secret_access_key",
            "https://cloud.baidu.com/doc/BCD/s/4jwvymhs7",
            "BCE auth v1; one configured domain; default view; no TXT (no documented escaping)",
        ),
        row(
            "ovh",
            "OVHcloud API (DNS zones)",
            ovh::CAPABILITIES,
            "endpoint, application_key, application_secret, consumer_key",
            "https://eu.api.ovh.com/console/#/domain/zone",
            "signed with AS+CK and the API's clock; ovh-eu/ovh-ca/ovh-us; zone refreshed after writes; no TXT (no documented escaping)",
        ),
        row(
            "gcloud",
            "Google Cloud DNS",
            gcloud::CAPABILITIES,
            "service_account_key, project",
            "https://cloud.google.com/dns/docs/reference/rest/v1/changes/create",
            "service-account JWT (RS256) for an OAuth2 token; public managed zones; one atomic change deletes the exact RRset read",
        ),
        row(
            "volcengine",
            "Volcengine TrafficRoute DNS (火山引擎 云解析)",
            volcengine::CAPABILITIES,
            "access_key_id, secret_access_key",
            "https://www.volcengine.com/docs/6758/155086",
            "HMAC-SHA256 (Volcengine V4-style); default line; TTL limits by the domain's edition, not checked ahead; no TXT (no documented escaping)",
        ),
    ]
}

/// APIs reached with a bearer token bought by a signed or secret-bearing login (Azure,
/// TransIP), kept in their own block.
fn token_logins() -> Vec<Entry> {
    use super::{azure, transip};
    vec![
        Entry {
            name: "azure",
            title: "Azure DNS",
            config: "type = \"azure\"".into(),
            style: Style::Signed,
            caps: azure::CAPABILITIES,
            credentials: "tenant_id, client_id, client_secret, subscription_id, resource_group",
            docs: "https://learn.microsoft.com/en-us/rest/api/dns/record-sets/create-or-update",
            notes: "Entra ID client credentials for an ARM token; public zones of one resource group; writes guarded by the record set's ETag (If-Match / If-None-Match: *); alias record sets left alone",
            dead: None,
        },
        Entry {
            name: "transip",
            title: "TransIP",
            config: "type = \"transip\"".into(),
            style: Style::Signed,
            caps: transip::CAPABILITIES,
            credentials: "login, private_key",
            docs: "https://api.transip.nl/rest/docs.html",
            notes: "RSA-signed login (SHA-512, PKCS #8 or #1 key) for a bearer token; entries without ids (add, then remove by value); no TXT (no documented escaping)",
            dead: None,
        },
    ]
}

/// Session and hosting-panel APIs of issue 15 (netcup, ...; one block, kept together).
fn hosting_panels() -> Vec<Entry> {
    use super::{luadns, netcup, nfsn};
    let row = |name: &'static str,
               title: &'static str,
               style: Style,
               caps: Capabilities,
               credentials: &'static str,
               docs: &'static str,
               notes: &'static str| Entry {
        name,
        title,
        config: format!("type = \"{name}\""),
        style,
        caps,
        credentials,
        docs,
        notes,
        dead: None,
    };
    vec![
        row(
            "netcup",
            "netcup CCP DNS API",
            Style::Rest,
            netcup::CAPABILITIES,
            "customer_number, api_key, api_password, domain",
            "https://ccp.netcup.net/run/webservice/servers/endpoint.php",
            "session login (renewed when it expires); one zone per configuration (no zone listing); A/AAAA only; no per-record TTL (the zone's)",
        ),
        row(
            "luadns",
            "LuaDNS",
            Style::Rest,
            luadns::CAPABILITIES,
            "email, api_key",
            "https://www.luadns.com/api.html",
            "HTTP Basic (email, API key); 1200 requests per 5 minutes; no TXT (no documented escaping)",
        ),
        row(
            "nfsn",
            "NearlyFreeSpeech.NET",
            Style::Signed,
            nfsn::CAPABILITIES,
            "login, api_key",
            "https://members.nearlyfreespeech.net/wiki/API/Introduction",
            "X-NFSN-Authentication (salted SHA-1, clock within seconds); calls as in NFSN's client <https://github.com/nfsn/nfsn-apiclient-php>; zone found by asking each parent domain (no domain list); one value written with one replaceRR; the domain's minTTL respected; A/AAAA only (no documented format for names or TXT)",
        ),
    ]
}

/// The row of a preset.
fn preset_entry(p: &'static Preset) -> Entry {
    Entry {
        name: p.name,
        title: p.title,
        config: format!("type = \"dyndns2\", service = \"{}\"", p.name),
        style: Style::Update,
        caps: update_only::capabilities(if p.ipv6() {
            &[RecordType::A, RecordType::AAAA]
        } else {
            &[RecordType::A]
        }),
        credentials: p.credentials(),
        docs: p.docs,
        notes: p.quirks,
        dead: p.dead,
    }
}

/// Services that are gone and had no preset (their own APIs).
fn gone() -> Vec<Entry> {
    let row =
        |name: &'static str, title: &'static str, docs: &'static str, why: &'static str| Entry {
            name,
            title,
            config: format!("type = \"{name}\""),
            style: Style::Rest,
            caps: update_only::capabilities(&[RecordType::A, RecordType::AAAA]),
            credentials: "-",
            docs,
            notes: "",
            dead: Some(why),
        };
    vec![
        row(
            "yandex",
            "Yandex PDD (Yandex.Connect DNS API)",
            "https://yandex.ru/dev/connect/",
            "Yandex closed the PDD DNS API (moved to Yandex 360, which has no DNS API for it)",
        ),
        row(
            "cloudxns",
            "CloudXNS",
            "https://www.cloudxns.net/",
            "CloudXNS shut down in 2022",
        ),
    ]
}

/// Every provider: the adapters, then the presets, then the dead services, each group in
/// its own order.
pub fn all() -> Vec<Entry> {
    let mut out = adapters();
    out.extend(signed_clouds());
    out.extend(token_logins());
    out.extend(hosting_panels());
    out.extend(
        PRESETS
            .iter()
            .filter(|p| p.dead.is_none())
            .map(preset_entry),
    );
    out.extend(
        PRESETS
            .iter()
            .filter(|p| p.dead.is_some())
            .map(preset_entry),
    );
    out.extend(gone());
    out
}

/// The reason a dead service named `name` cannot be configured, if it is one.
pub fn dead(name: &str) -> Option<&'static str> {
    if let Some(p) = preset::find(name) {
        return p.dead;
    }
    gone()
        .into_iter()
        .find(|e| e.name == name)
        .and_then(|e| e.dead)
}

/// The record types shown: `any` or `A/AAAA`.
pub fn types(caps: &Capabilities) -> String {
    if caps.types.is_empty() {
        "any".into()
    } else {
        caps.types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn guard(caps: &Capabilities) -> &'static str {
    match caps.guard {
        Guard::Atomic => "atomic",
        Guard::ReadThenWrite => "read-compare-write",
        Guard::None => "none",
    }
}

fn ttl(caps: &Capabilities) -> String {
    match (caps.ttl, caps.min_ttl, caps.ttl_set) {
        (false, _, _) => "service's".into(),
        (true, _, [first, .., last]) => format!("{first}-{last} s, fixed set (rounded up)"),
        (true, _, [only]) => format!("{only} s only"),
        (true, 0, []) => "yes".into(),
        (true, m, []) => format!(">= {m} s"),
    }
}

/// Whether this dnsup can use the entry: without the `https` feature only RFC 2136 is built in
/// (the hosted adapters are stubs whose capabilities are not known here).
pub fn built_in(e: &Entry) -> bool {
    cfg!(feature = "https") || e.style == Style::Rfc2136 || e.dead.is_some()
}

/// `alive`, `dead` or `not built in`.
fn status(e: &Entry) -> &'static str {
    if e.dead.is_some() {
        "dead"
    } else if built_in(e) {
        "alive"
    } else {
        "not built in"
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// One entry as JSON.
pub fn to_json(e: &Entry) -> serde_json::Value {
    json!({
        "name": e.name,
        "title": e.title,
        "config": e.config,
        "style": e.style.as_str(),
        "status": status(e),
        "dead_reason": e.dead,
        "read": e.caps.read,
        "guard": guard(&e.caps),
        "delete": e.caps.delete,
        "multiple_values": e.caps.multiple_values,
        "ttl": e.caps.ttl,
        "min_ttl": e.caps.min_ttl,
        "ttl_set": e.caps.ttl_set,
        "types": if e.caps.types.is_empty() {
            vec!["any".to_string()]
        } else {
            e.caps.types.iter().map(ToString::to_string).collect()
        },
        "credentials": e.credentials,
        "docs": e.docs,
        "notes": e.notes,
    })
}

/// The table `dnsup providers` prints: one line per provider, columns aligned.
pub fn text_table(entries: &[Entry]) -> String {
    let header = [
        "NAME",
        "STYLE",
        "STATUS",
        "READ",
        "GUARD",
        "DELETE",
        "MULTI",
        "TTL",
        "TYPES",
        "CREDENTIALS",
    ];
    let rows: Vec<[String; 10]> = entries
        .iter()
        .map(|e| {
            if !built_in(e) {
                let mut r: [String; 10] = std::array::from_fn(|_| "-".to_string());
                r[0] = e.name.to_string();
                r[1] = e.style.as_str().to_string();
                r[2] = status(e).to_string();
                return r;
            }
            [
                e.name.to_string(),
                e.style.as_str().to_string(),
                status(e).to_string(),
                yes(e.caps.read).to_string(),
                guard(&e.caps).to_string(),
                yes(e.caps.delete).to_string(),
                yes(e.caps.multiple_values).to_string(),
                ttl(&e.caps),
                types(&e.caps),
                e.credentials.to_string(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for r in &rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    if entries.iter().any(|e| !built_in(e)) {
        out.push_str(
            "\nnot built in: this dnsup was built without HTTPS providers (cargo feature \
             \"https\"); those types need the default build\n",
        );
    }
    out
}

/// The README's provider table (Markdown), between its markers.
pub fn markdown(entries: &[Entry]) -> String {
    let mut out = String::from(
        "| name | configuration | reads | guard | delete | several values | TTL | types | credentials | notes | API documentation |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for e in entries {
        let notes = match e.dead {
            Some(why) => format!("**dead**: {why}"),
            None => e.notes.to_string(),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} | <{}> |\n",
            e.title,
            e.config,
            yes(e.caps.read),
            guard(&e.caps),
            yes(e.caps.delete),
            yes(e.caps.multiple_values),
            ttl(&e.caps),
            types(&e.caps),
            e.credentials,
            notes.replace('|', "\\|"),
            e.docs
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_rows_complete() {
        let all = all();
        let mut names: Vec<&str> = all.iter().map(|e| e.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate provider names");
        for e in &all {
            assert!(e.docs.starts_with("https://"), "{}", e.name);
            assert!(
                !e.title.is_empty() && !e.credentials.is_empty(),
                "{}",
                e.name
            );
        }
        assert!(dead("google").is_some());
        assert!(dead("yandex").is_some());
        assert_eq!(dead("he"), None);
        let json = to_json(&all[0]);
        assert_eq!(json["name"], "rfc2136");
        // A header, the rows, and without the `https` feature a blank line and a note.
        let note = if cfg!(feature = "https") { 0 } else { 2 };
        assert_eq!(text_table(&all).lines().count(), all.len() + 1 + note);
    }
}
