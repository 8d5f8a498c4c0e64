//! The dyndns2-compatible and simple GET services, as data: one row per service, read by the
//! `dyndns2` adapter (`type = "dyndns2"`, `service = "NAME"`), by the registry (`dnsup
//! providers`, the README table) and by the tests that check every row against its
//! documentation (`tests/providers/presets.rs`).
//!
//! A row says where the update goes (URL, and another one for IPv6 where the service splits
//! the families by host name), how the credentials travel (HTTP Basic, query parameters, a
//! path segment), which parameter carries the host name and which the address of each
//! family, and how the answer is read (dyndns2 return codes, the HTTP status alone, the
//! address echoed back, or the service's own words). What is not in the table is in no
//! adapter either: there is one request builder and one answer reader for all of them
//! (`dyndns2.rs`).

/// How the credentials travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic with `username` and `password`.
    Basic,
    /// HTTP Basic with the host name as the user name (one key per host: Hurricane Electric,
    /// nsupdate.info); a configured `username` is not used.
    BasicHost,
    /// Query parameters: the user name's (when the service has one) and the password's.
    Query {
        /// The user name's parameter (`None`: the service takes only a token).
        user: Option<&'static str>,
        /// The password's (or token's) parameter.
        password: &'static str,
    },
    /// The token is a path segment after the URL (`.../u/TOKEN/`), and names the host.
    Path,
}

/// Where the host name goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// A query parameter with this name.
    Param(&'static str),
    /// The record's numeric id, in a query parameter with this name (`record_id = ...` in
    /// the configuration), because the service does not take host names.
    Id(&'static str),
    /// Nowhere: the credentials name the host (one account or token per host).
    Implied,
}

/// What an answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The update was made (or there was nothing to change).
    Done,
    /// The credentials were refused.
    Auth,
    /// The host name is not in the account.
    NoHost,
    /// Refused for another reason (bad input, a paid feature).
    Refused,
    /// Stop calling: the account is blocked.
    Blocked,
    /// Too soon or a problem at the service: not before this many seconds.
    Wait(u64),
}

/// How an answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// dyndns2 return codes, one line per host name (`good`, `nochg`, `badauth`, `nohost`,
    /// `abuse`, `911`, `!donator`, ...).
    Dyndns2,
    /// The HTTP status alone: 2xx done, 401/403 credentials, 404 no such host.
    Status,
    /// Done when the answer holds the address sent; otherwise refused with the answer's text.
    Echo,
    /// The first of these words the answer holds (case-sensitive) decides; none is a bad
    /// answer. Error words come first, as an error answer may hold a success word too.
    Words(&'static [(&'static str, Meaning)]),
}

/// One service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The `service = "..."` name.
    pub name: &'static str,
    /// The service as people call it.
    pub title: &'static str,
    /// The update URL (HTTPS, no query).
    pub url: &'static str,
    /// Another update URL for IPv6 (services that split the families by host name).
    pub url_v6: Option<&'static str>,
    /// `GET` or `POST` (the parameters are always in the query).
    pub post: bool,
    /// How the credentials travel.
    pub auth: Auth,
    /// Where the host name goes.
    pub host: Host,
    /// The IPv4 address' parameter (`None`: the service takes the request's source address).
    pub ip: Option<&'static str>,
    /// The IPv6 address' parameter (`None` and no `url_v6`: the service holds A records only).
    pub ip6: Option<&'static str>,
    /// Fixed parameters the documentation asks for.
    pub extra: &'static [(&'static str, &'static str)],
    /// Fixed parameters of an IPv4 update only.
    pub extra_v4: &'static [(&'static str, &'static str)],
    /// Fixed parameters of an IPv6 update only.
    pub extra_v6: &'static [(&'static str, &'static str)],
    /// How the answer is read.
    pub answer: Answer,
    /// Several host names in one request, joined by this (the documentation allows it).
    pub multi_host: Option<&'static str>,
    /// Where the documentation lives.
    pub docs: &'static str,
    /// What a user must know (one line).
    pub quirks: &'static str,
    /// `Some(why)`: the service no longer exists; configuring it is an error.
    pub dead: Option<&'static str>,
}

impl Preset {
    /// Whether the service holds AAAA records.
    pub fn ipv6(&self) -> bool {
        self.ip6.is_some() || self.url_v6.is_some()
    }

    /// Whether a `username` must be configured.
    pub fn needs_username(&self) -> bool {
        matches!(self.auth, Auth::Basic | Auth::Query { user: Some(_), .. })
    }

    /// The credentials it takes, for the registry.
    pub fn credentials(&self) -> &'static str {
        match (self.auth, self.host) {
            (_, Host::Id(_)) => "username, password, record_id",
            (Auth::Basic | Auth::Query { user: Some(_), .. }, _) => "username, password",
            (Auth::BasicHost, _) => "password (per host)",
            (Auth::Query { user: None, .. }, _) | (Auth::Path, _) => "password (token)",
        }
    }
}

/// The row of `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// A row with the defaults of a standard dyndns2 service at `url` (Basic authentication,
/// `hostname`, `myip` for both families, dyndns2 answer codes).
const fn dyndns2(name: &'static str, title: &'static str, url: &'static str) -> Preset {
    Preset {
        name,
        title,
        url,
        url_v6: None,
        post: false,
        auth: Auth::Basic,
        host: Host::Param("hostname"),
        ip: Some("myip"),
        ip6: Some("myip"),
        extra: &[],
        extra_v4: &[],
        extra_v6: &[],
        answer: Answer::Dyndns2,
        multi_host: None,
        docs: "",
        quirks: "",
        dead: None,
    }
}

const fn docs(p: Preset, docs: &'static str) -> Preset {
    Preset { docs, ..p }
}

const fn quirk(p: Preset, quirks: &'static str) -> Preset {
    Preset { quirks, ..p }
}

const fn v4_only(p: Preset) -> Preset {
    Preset { ip6: None, ..p }
}

const fn ip6(p: Preset, ip6: &'static str) -> Preset {
    Preset {
        ip6: Some(ip6),
        ..p
    }
}

const fn multi(p: Preset) -> Preset {
    Preset {
        multi_host: Some(","),
        ..p
    }
}

const fn dead(p: Preset, why: &'static str) -> Preset {
    Preset {
        dead: Some(why),
        ..p
    }
}

/// EasyDNS' answer words (its dynamic DNS page).
const EASYDNS: &[(&str, Meaning)] = &[
    ("NOACCESS", Meaning::Auth),
    ("NO_ACCESS", Meaning::Auth),
    ("NOSERVICE", Meaning::Refused),
    ("NO_SERVICE", Meaning::Refused),
    ("ILLEGAL", Meaning::Refused),
    ("TOOSOON", Meaning::Wait(600)),
    ("TOO_SOON", Meaning::Wait(600)),
    ("NOERROR", Meaning::Done),
    ("NO_ERROR", Meaning::Done),
];

/// DDNSS' answer words.
const DDNSS: &[(&str, Meaning)] = &[
    ("badysys", Meaning::Refused),
    ("badauth", Meaning::Auth),
    ("notfqdn", Meaning::NoHost),
    ("nohost", Meaning::NoHost),
    ("abuse", Meaning::Blocked),
    ("Updated", Meaning::Done),
];

/// ZoneEdit's `<SUCCESS CODE="200" .../>` / `<ERROR CODE="..." .../>` answers: 200 updated,
/// 201 no change; 702 and 707 mean "too soon / duplicate update" (wait 10 minutes); 708 is a
/// failed login.
const ZONEEDIT: &[(&str, Meaning)] = &[
    ("CODE=\"708\"", Meaning::Auth),
    ("CODE=\"702\"", Meaning::Wait(600)),
    ("CODE=\"707\"", Meaning::Wait(600)),
    ("<ERROR", Meaning::Refused),
    ("<SUCCESS", Meaning::Done),
];

/// DNS Made Easy's answer words.
const DNSMADEEASY: &[(&str, Meaning)] = &[
    ("error-auth-suspend", Meaning::Blocked),
    ("error-auth-voided", Meaning::Blocked),
    ("error-auth", Meaning::Auth),
    ("error-record-invalid", Meaning::NoHost),
    ("error-record-auth", Meaning::Auth),
    ("error-record-ip-same", Meaning::Done),
    ("error-system", Meaning::Wait(1800)),
    ("error", Meaning::Refused),
    ("success", Meaning::Done),
];

/// Sitelutions' answer words.
const SITELUTIONS: &[(&str, Meaning)] = &[
    ("dberror", Meaning::Wait(1800)),
    ("failure", Meaning::Refused),
    ("invalid", Meaning::Refused),
    ("success", Meaning::Done),
];

/// regfish: `success|100|...` updated, `success|101|...` no change, `fail|4xx|...`.
const REGFISH: &[(&str, Meaning)] = &[
    ("|401|", Meaning::Auth),
    ("|402|", Meaning::NoHost),
    ("fail", Meaning::Refused),
    ("success|100", Meaning::Done),
    ("success|101", Meaning::Done),
];

/// freemyip: `OK` or `ERROR`.
const FREEMYIP: &[(&str, Meaning)] = &[("ERROR", Meaning::Refused), ("OK", Meaning::Done)];

/// FreeDNS (afraid.org) v2: `Updated N host(s)`, `No IP change detected`, `ERROR: Unable to
/// locate this record` (a wrong token).
const FREEDNS: &[(&str, Meaning)] = &[
    ("Unable to locate", Meaning::Auth),
    ("ERROR", Meaning::Refused),
    ("Updated", Meaning::Done),
    ("No IP change", Meaning::Done),
];

/// DonDNS' plain answer: its last line holds `OK` (or `IP:<address>`).
const DONDNS: &[(&str, Meaning)] = &[
    ("ERROR", Meaning::Refused),
    ("OK", Meaning::Done),
    ("IP:", Meaning::Done),
];

/// DuiaDNS answers an HTML page naming the host on success.
const DUIADNS: &[(&str, Meaning)] = &[("Hostname ", Meaning::Done)];

/// Every preset, alive and dead, by name.
pub const PRESETS: &[Preset] = &[
    // The dyndns2 originals.
    multi(ip6(
        docs(
            dyndns2("noip", "No-IP", "https://dynupdate.no-ip.com/nic/update"),
            "https://www.noip.com/integrate/request",
        ),
        "myipv6",
    )),
    multi(docs(
        dyndns2(
            "dyn",
            "Dyn (Oracle)",
            "https://members.dyndns.org/v3/update",
        ),
        "https://help.dyn.com/remote-access-api/perform-update/",
    )),
    quirk(
        v4_only(docs(
            dyndns2(
                "dnsomatic",
                "DNS-O-Matic",
                "https://updates.dnsomatic.com/nic/update",
            ),
            "https://dnsomatic.com/docs/api",
        )),
        "hostname all.dnsomatic.com updates every service of the account",
    ),
    Preset {
        auth: Auth::Query {
            user: None,
            password: "token",
        },
        ip: Some("ipv4"),
        ip6: Some("ipv6"),
        answer: Answer::Status,
        quirks: "its own Update API (dyndns2 there sets IPv4 only); the host is the dynv6 zone",
        ..docs(
            dyndns2("dynv6", "dynv6", "https://dynv6.com/api/update"),
            "https://dynv6.com/docs/apis",
        )
    },
    // dyndns2-compatible services.
    Preset {
        auth: Auth::BasicHost,
        quirks: "one key per record (Dynamic DNS enabled on it); the user name is the host name",
        ..docs(
            dyndns2(
                "he",
                "Hurricane Electric",
                "https://dyn.dns.he.net/nic/update",
            ),
            "https://dns.he.net/docs.html",
        )
    },
    ip6(
        docs(
            dyndns2("dynu", "Dynu", "https://api.dynu.com/nic/update"),
            "https://www.dynu.com/DynamicDNS/IP-Update-Protocol",
        ),
        "myipv6",
    ),
    docs(
        dyndns2(
            "infomaniak",
            "Infomaniak",
            "https://infomaniak.com/nic/update",
        ),
        "https://www.infomaniak.com/en/support/faq/2376/dyndns-updating-a-dynamic-dns-via-the-api",
    ),
    docs(
        dyndns2("loopia", "Loopia", "https://dyndns.loopia.se/"),
        "https://support.loopia.com/wiki/about-the-dyndns-support/",
    ),
    Preset {
        extra: &[("system", "dyndns")],
        quirks: "a DynHost user per zone (created in the OVHcloud control panel); A only",
        ..v4_only(docs(
            dyndns2(
                "ovh-dynhost",
                "OVH DynHost",
                "https://www.ovh.com/nic/update",
            ),
            "https://help.ovhcloud.com/csm/en-dns-dynhost?id=kb_article_view&sysparm_article=KB0051640",
        ))
    },
    Preset {
        host: Host::Param("host"),
        ip6: Some("myip6"),
        ..docs(
            dyndns2("all-inkl", "ALL-INKL.COM", "https://dyndns.kasserver.com/"),
            "https://all-inkl.com/wichtig/anleitungen/kas/tools/ddns-einstellungen/",
        )
    },
    Preset {
        ip: Some("ip"),
        ip6: Some("ip"),
        answer: Answer::Status,
        ..docs(
            dyndns2(
                "changeip",
                "ChangeIP",
                "https://nic.changeip.com/nic/update",
            ),
            "https://www.changeip.com/accounts/knowledgebase.php?action=displayarticle&id=34",
        )
    },
    Preset {
        answer: Answer::Status,
        quirks: "user name and password are an API token and secret; 204 on success, 404 for an unknown host",
        ..multi(docs(
            dyndns2(
                "domeneshop",
                "Domeneshop",
                "https://api.domeneshop.no/v0/dyndns/update",
            ),
            "https://api.domeneshop.no/docs/#tag/ddns/paths/~1dyndns~1update/get",
        ))
    },
    Preset {
        answer: Answer::Words(EASYDNS),
        quirks: "the password is the dynamic DNS token; at most one update per 10 minutes (TOOSOON)",
        ..docs(
            dyndns2(
                "easydns",
                "easyDNS",
                "https://api.cp.easydns.com/dyn/generic.php",
            ),
            "https://kb.easydns.com/knowledge/dynamic-dns/",
        )
    },
    quirk(
        ip6(
            docs(
                dyndns2("inwx", "INWX", "https://dyndns.inwx.com/nic/update"),
                "https://kb.inwx.com/en-us/3-nameserver/131-dyndns",
            ),
            "myipv6",
        ),
        "one DynDNS account per host name, created in the INWX panel",
    ),
    quirk(
        multi(docs(
            dyndns2("strato", "STRATO", "https://dyndns.strato.com/nic/update"),
            "https://www.strato.de/faq/hosting/so-einfach-richten-sie-dyndns-fuer-ihre-domains-ein/",
        )),
        "the user name is the domain, the password the domain's DynDNS password",
    ),
    Preset {
        host: Host::Param("hostname"),
        ip: Some("ip"),
        ip6: Some("ip6"),
        answer: Answer::Status,
        quirks: "the user name is the dnsHome subdomain",
        ..docs(
            dyndns2("dnshome", "dnsHome.de", "https://www.dnshome.de/dyndns.php"),
            "https://www.dnshome.de/",
        )
    },
    Preset {
        auth: Auth::Query {
            user: None,
            password: "key",
        },
        host: Host::Param("domain"),
        ip: Some("ip"),
        ip6: Some("ip6"),
        answer: Answer::Status,
        quirks: "the password is the account's DynDNS update key",
        ..docs(
            dyndns2("ipv64", "ipv64.net", "https://ipv64.net/nic/update"),
            "https://ipv64.net/dyndns_updater_api",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("username"),
            password: "password",
        },
        quirks: "Dynamic DNS must be enabled on the zone; user name and password are its DynDNS credentials",
        ..docs(
            dyndns2("joker", "Joker.com", "https://svc.joker.com/nic/update"),
            "https://joker.com/faq/content/6/496/en/let_s-encrypt-support.html",
        )
    },
    quirk(
        v4_only(docs(
            dyndns2(
                "opendns",
                "OpenDNS (Cisco Umbrella)",
                "https://updates.opendns.com/nic/update",
            ),
            "https://support.opendns.com/hc/en-us/articles/227987727",
        )),
        "the host name is the network's label; A only",
    ),
    quirk(
        v4_only(docs(
            dyndns2(
                "selfhost",
                "selfHOST",
                "https://carol.selfhost.de/nic/update",
            ),
            "https://www.selfhost.de/cgi-bin/selfhost?p=document&name=api",
        )),
        "A only",
    ),
    quirk(
        docs(
            dyndns2("simply", "Simply.com", "https://api.simply.com/dyndns2/"),
            "https://www.simply.com/en/docs/api/",
        ),
        "the user name is the account (Sxxxxxx), the password an API key",
    ),
    docs(
        dyndns2(
            "spdyn",
            "Securepoint DynDNS (spdyn)",
            "https://update.spdyn.de/nic/update",
        ),
        "https://wiki.securepoint.de/SPDyn/Variablen",
    ),
    docs(
        dyndns2(
            "variomedia",
            "Variomedia",
            "https://dyndns.variomedia.de/nic/update",
        ),
        "https://dyndns.variomedia.de/",
    ),
    quirk(
        v4_only(docs(
            dyndns2(
                "nic-ru",
                "RU-CENTER (NIC.RU)",
                "https://api.nic.ru/dyndns/update",
            ),
            "https://www.nic.ru/help/dinamicheskij-dns-dlya-razrabotchikov_4391.html",
        )),
        "A only",
    ),
    quirk(
        docs(
            dyndns2("now-dns", "Now-DNS", "https://now-dns.com/update"),
            "https://now-dns.com/?p=clients",
        ),
        "the user name is the account e-mail",
    ),
    Preset {
        auth: Auth::BasicHost,
        url_v6: Some("https://ipv6.nsupdate.info/nic/update"),
        quirks: "IPv4 and IPv6 go to different hosts (ipv4./ipv6.nsupdate.info); the user name is the host name",
        ..docs(
            dyndns2(
                "nsupdate-info",
                "nsupdate.info",
                "https://ipv4.nsupdate.info/nic/update",
            ),
            "https://nsupdateinfo.readthedocs.io/en/latest/user.html",
        )
    },
    quirk(
        v4_only(docs(
            dyndns2(
                "oray",
                "Oray (Peanut Hull)",
                "https://ddns.oray.com/ph/update",
            ),
            "https://service.oray.com/question/3820.html",
        )),
        "A only",
    ),
    quirk(
        v4_only(docs(
            dyndns2(
                "pubyun",
                "Pubyun / 3322.org",
                "https://members.3322.org/dyndns/update",
            ),
            "https://www.pubyun.com/wiki/%E5%B8%AE%E5%8A%A9:api",
        )),
        "A only",
    ),
    docs(
        dyndns2(
            "schokokeks",
            "schokokeks.org",
            "https://dyndns.schokokeks.org/nic/update",
        ),
        "https://schokokeks.org/wiki/DynDNS",
    ),
    docs(
        dyndns2("udmedia", "udmedia", "https://www.udmedia.de/nic/update"),
        "https://www.udmedia.de/service/dyndns/",
    ),
    docs(
        dyndns2(
            "websupport",
            "WebSupport",
            "https://dyndns.websupport.sk/nic/update",
        ),
        "https://www.websupport.sk/podpora/kb/dynamicke-dns/",
    ),
    quirk(
        v4_only(docs(
            dyndns2("dy-fi", "dy.fi", "https://www.dy.fi/nic/update"),
            "https://www.dy.fi/page/specification",
        )),
        "A only; a name not refreshed for 7 days is released, and more than one update in 5 days without a change is abuse",
    ),
    docs(
        dyndns2(
            "dyndns-it",
            "DynDNS.it",
            "https://update.dyndns.it/nic/update",
        ),
        "https://www.dyndns.it/documentazione/",
    ),
    Preset {
        extra_v4: &[("keepipv6", "1")],
        extra_v6: &[("keepipv4", "1")],
        quirks: "each update keeps the other family's address (keepipv6=1 / keepipv4=1)",
        ..docs(
            dyndns2(
                "core-networks",
                "Core-Networks",
                "https://dyndns.core-networks.de/",
            ),
            "https://beta.api.core-networks.de/doc/#functon_dyndns",
        )
    },
    Preset {
        ip: Some("ip"),
        ip6: Some("ip"),
        answer: Answer::Status,
        ..docs(
            dyndns2("twodns", "TwoDNS", "https://update.twodns.de/update"),
            "https://www.twodns.de/en/api",
        )
    },
    // Simple GET services with their own parameters and answers.
    Preset {
        auth: Auth::Query {
            user: Some("user"),
            password: "pwd",
        },
        host: Host::Param("host"),
        ip: Some("ip"),
        ip6: Some("ip6"),
        answer: Answer::Words(DDNSS),
        quirks: "answers an HTML page: 'Updated 1 hostname' is success",
        ..docs(
            dyndns2("ddnss", "DDNSS.de", "https://www.ddnss.de/upd.php"),
            "https://www.ddnss.de/info.php",
        )
    },
    Preset {
        auth: Auth::Query {
            user: None,
            password: "password",
        },
        ip: Some("ip"),
        ip6: None,
        answer: Answer::Echo,
        quirks: "the password is the host's DynDNS password; A only; DomainDiscount24 uses this service",
        ..docs(
            dyndns2(
                "key-systems",
                "Key-Systems / DomainDiscount24",
                "https://dynamicdns.key-systems.net/update.php",
            ),
            "https://www.domaindiscount24.com/faq/en/dynamic-dns",
        )
    },
    Preset {
        host: Host::Param("host"),
        ip: Some("dnsto"),
        ip6: None,
        answer: Answer::Words(ZONEEDIT),
        quirks: "the password is the zone's dynamic authentication token; A only; at most one update per 10 minutes",
        ..docs(
            dyndns2(
                "zoneedit",
                "ZoneEdit",
                "https://dynamic.zoneedit.com/auth/dynamic.html",
            ),
            "https://support.zoneedit.com/en/knowledgebase/article/dynamic-dns",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("username"),
            password: "password",
        },
        host: Host::Id("id"),
        ip: Some("ip"),
        ip6: Some("ip"),
        answer: Answer::Words(DNSMADEEASY),
        quirks: "records are named by their numeric id (record_id = ...), the password may be the record's own",
        ..docs(
            dyndns2(
                "dnsmadeeasy",
                "DNS Made Easy",
                "https://cp.dnsmadeeasy.com/servlet/updateip",
            ),
            "https://dnsmadeeasy.com/technology/dynamic-dns",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("user"),
            password: "password",
        },
        host: Host::Param("host"),
        ip: Some("ip"),
        ip6: None,
        answer: Answer::Words(DONDNS),
        quirks: "DonDNS: the password is the DonDNS key; A only",
        ..docs(
            dyndns2(
                "dondominio",
                "DonDominio (DonDNS)",
                "https://dondns.dondominio.com/plain/",
            ),
            "https://dev.dondominio.com/dondns/docs/api/",
        )
    },
    Preset {
        auth: Auth::Query {
            user: None,
            password: "token",
        },
        host: Host::Param("domain"),
        ip: Some("myip"),
        ip6: Some("myip"),
        answer: Answer::Words(FREEMYIP),
        quirks: "the password is the token freemyip gave for the name",
        ..docs(
            dyndns2("freemyip", "freemyip", "https://freemyip.com/update"),
            "https://freemyip.com/help",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("username"),
            password: "password",
        },
        host: Host::Param("subdomain"),
        ip: Some("ip"),
        ip6: Some("ip6"),
        extra: &[("shortResponse", "true")],
        answer: Answer::Echo,
        quirks: "the user name and password are the router account's (GoIP 'Router' page)",
        ..docs(
            dyndns2("goip", "GoIP.de", "https://www.goip.de/setip"),
            "https://www.goip.de/update-url.html",
        )
    },
    Preset {
        auth: Auth::Query {
            user: None,
            password: "token",
        },
        host: Host::Param("fqdn"),
        ip: Some("ip"),
        ip6: Some("ipv6"),
        extra: &[("forcehost", "1"), ("authtype", "secure")],
        answer: Answer::Words(REGFISH),
        quirks: "the password is the record's token (authtype=secure)",
        ..docs(
            dyndns2("regfish", "regfish", "https://dyndns.regfish.de/"),
            "https://www.regfish.de/domains/dyndns/dokumentation",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("user"),
            password: "pass",
        },
        host: Host::Id("id"),
        ip: Some("ip"),
        ip6: None,
        answer: Answer::Words(SITELUTIONS),
        quirks: "records are named by their numeric id (record_id = ...); A only",
        ..docs(
            dyndns2(
                "sitelutions",
                "Sitelutions",
                "https://www.sitelutions.com/dnsup",
            ),
            "https://www.sitelutions.com/help/dynamic_dns",
        )
    },
    Preset {
        auth: Auth::Query {
            user: Some("MID"),
            password: "PWD",
        },
        host: Host::Implied,
        ip: Some("IPV4ADDR"),
        ip6: Some("IPV6ADDR"),
        answer: Answer::Status,
        quirks: "the master ID names the domain; a domain not notified for a week is deleted",
        ..docs(
            dyndns2("mydns-jp", "MyDNS.JP", "https://www.mydns.jp/directip.html"),
            "https://www.mydns.jp/?MENU=030",
        )
    },
    Preset {
        auth: Auth::Query {
            user: None,
            password: "password",
        },
        host: Host::Param("host"),
        ip: Some("ip4"),
        ip6: None,
        answer: Answer::Words(DUIADNS),
        quirks: "the password is the MD5 hex digest of the account password, as DuiaDNS asks; A only",
        ..docs(
            dyndns2(
                "duiadns",
                "DuiaDNS",
                "https://ipv4.duiadns.net/dynamic.duia",
            ),
            "https://www.duiadns.net/duiadns-url-update",
        )
    },
    Preset {
        url_v6: Some("https://v6.sync.afraid.org/u/"),
        auth: Auth::Path,
        host: Host::Implied,
        ip: Some("ip"),
        ip6: Some("ip"),
        answer: Answer::Words(FREEDNS),
        quirks: "the password is the record's v2 update token (it names the host)",
        ..docs(
            dyndns2(
                "freedns",
                "FreeDNS (afraid.org)",
                "https://sync.afraid.org/u/",
            ),
            "https://freedns.afraid.org/dynamic/v2/",
        )
    },
    // Dead services: configuring one is an error naming why (unless `url`/`server` points at
    // a compatible endpoint that still speaks the dialect).
    dead(
        docs(
            dyndns2(
                "google",
                "Google Domains",
                "https://domains.google.com/nic/update",
            ),
            "https://support.google.com/domains/answer/6147083",
        ),
        "Google Domains' dynamic DNS shut down in 2024 (the domains moved to Squarespace, which has no such API)",
    ),
    dead(
        v4_only(docs(
            dyndns2(
                "dslreports",
                "DSLReports",
                "https://www.dslreports.com/nic/update",
            ),
            "https://www.dslreports.com/",
        )),
        "DSLReports' dynamic DNS is gone (the site stopped serving it)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is consistent: unique names, HTTPS URLs without a query, documentation for
    /// every row, answer words that can match, and the fields each auth scheme needs.
    #[test]
    fn the_table_is_consistent() {
        let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "duplicate preset names");
        for p in PRESETS {
            for url in std::iter::once(p.url).chain(p.url_v6) {
                let u = reqwest::Url::parse(url).unwrap_or_else(|e| panic!("{}: {e}", p.name));
                assert_eq!(u.scheme(), "https", "{}", p.name);
                assert!(u.query().is_none(), "{}", p.name);
                assert!(u.username().is_empty(), "{}", p.name);
            }
            assert!(p.docs.starts_with("https://"), "{}: docs", p.name);
            assert!(!p.title.is_empty());
            assert!(
                p.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                p.name
            );
            if let Answer::Words(words) = p.answer {
                assert!(words.iter().any(|(_, m)| *m == Meaning::Done), "{}", p.name);
                assert!(words.iter().all(|(w, _)| !w.is_empty()), "{}", p.name);
            }
            if p.auth == Auth::Path {
                assert!(p.url.ends_with('/'), "{}", p.name);
            }
            if p.ip.is_none() {
                assert!(p.ip6.is_none(), "{}", p.name);
            }
            if p.multi_host.is_some() {
                assert!(matches!(p.host, Host::Param(_)), "{}", p.name);
            }
        }
        assert!(find("noip").is_some());
        assert!(find("google").unwrap().dead.is_some());
        assert!(find("nonexistent").is_none());
    }
}
