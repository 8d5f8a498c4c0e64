//! UPnP IGD, sans-IO: SSDP discovery (UPnP Device Architecture 1.1 section 1.3: the M-SEARCH
//! text and its answers), the device description (section 2, read with `roxmltree`), the SOAP
//! `GetExternalIPAddress` action of WANIPConnection / WANPPPConnection (section 3) and GENA
//! eventing (section 4: SUBSCRIBE answers and NOTIFY requests). HTTP heads are read with
//! `httparse`.

use std::net::{IpAddr, Ipv4Addr};

/// SSDP's multicast group and port.
pub const SSDP_ADDR: (Ipv4Addr, u16) = (Ipv4Addr::new(239, 255, 255, 250), 1900);
/// The largest SSDP datagram, description, SOAP answer or NOTIFY dnsup reads.
pub const MAX_DATAGRAM: usize = 2048;
/// The largest device description read (miniupnpd's is ~4 KiB, a FRITZ!Box's ~10 KiB).
pub const MAX_DESCRIPTION: usize = 64 * 1024;
/// The largest SOAP answer or event body read.
pub const MAX_BODY: usize = 16 * 1024;

/// The device types searched for: IGD version 1 and 2.
pub const SEARCH_TARGETS: [&str; 2] = [
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
];

/// The services that answer `GetExternalIPAddress`, most preferred first.
const WAN_SERVICES: [&str; 3] = [
    "urn:schemas-upnp-org:service:WANIPConnection:2",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
    "urn:schemas-upnp-org:service:WANPPPConnection:1",
];

/// An M-SEARCH for `target`, answered within `mx` seconds.
pub fn m_search(target: &str, mx: u8) -> String {
    format!(
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\
         MX: {mx}\r\nST: {target}\r\nUSER-AGENT: Linux UPnP/1.1 dnsup/{}\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// What went wrong reading a UPnP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadMessage(pub String);

fn bad(why: impl Into<String>) -> BadMessage {
    BadMessage(why.into())
}

/// An SSDP answer to an M-SEARCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchAnswer {
    /// Where the device description is (`LOCATION`).
    pub location: String,
    /// What it answered for (`ST`).
    pub target: String,
    /// `BOOTID.UPNP.ORG`, which a device changes when it reboots (UDA 1.1), if sent.
    pub boot_id: Option<u32>,
}

/// Read an SSDP answer: `HTTP/1.1 200 OK` with `LOCATION` and `ST`.
pub fn parse_search_answer(bytes: &[u8]) -> Result<SearchAnswer, BadMessage> {
    if bytes.len() > MAX_DATAGRAM {
        return Err(bad("SSDP answer too long"));
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("SSDP answer cut short")),
        Err(e) => return Err(bad(format!("SSDP answer is not HTTP: {e}"))),
    }
    if response.code != Some(200) {
        return Err(bad(format!("SSDP answer status {:?}", response.code)));
    }
    let location = header(response.headers, "location").ok_or_else(|| bad("no LOCATION"))?;
    let target = header(response.headers, "st").ok_or_else(|| bad("no ST"))?;
    let boot_id = header(response.headers, "bootid.upnp.org").and_then(|b| b.parse().ok());
    Ok(SearchAnswer {
        location,
        target,
        boot_id,
    })
}

/// An SSDP advertisement (`NOTIFY * HTTP/1.1` to the multicast group): a device going up
/// (`ssdp:alive`) or down (`ssdp:byebye`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advertisement {
    /// `ssdp:alive` (true) or `ssdp:byebye` (false).
    pub alive: bool,
    /// `BOOTID.UPNP.ORG`: a new value means the device rebooted (UDA 1.1 section 1.2.2).
    pub boot_id: Option<u32>,
}

/// Read an SSDP advertisement; anything else (an M-SEARCH, `ssdp:update`) is an error.
pub fn parse_advertisement(bytes: &[u8]) -> Result<Advertisement, BadMessage> {
    if bytes.len() > MAX_DATAGRAM {
        return Err(bad("SSDP message too long"));
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("SSDP message cut short")),
        Err(e) => return Err(bad(format!("SSDP message is not HTTP: {e}"))),
    }
    if request.method != Some("NOTIFY") || request.path != Some("*") {
        return Err(bad("not an SSDP advertisement"));
    }
    let alive = match header(request.headers, "nts").as_deref() {
        Some("ssdp:alive") => true,
        Some("ssdp:byebye") => false,
        _ => return Err(bad("SSDP advertisement neither alive nor byebye")),
    };
    let boot_id = header(request.headers, "bootid.upnp.org").and_then(|b| b.parse().ok());
    Ok(Advertisement { alive, boot_id })
}

fn header(headers: &[httparse::Header<'_>], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .map(|v| v.trim().to_string())
}

/// The WAN connection service of a description: what to call and where to subscribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WanService {
    /// Its service type (the SOAP namespace of its actions).
    pub service_type: String,
    /// `controlURL`, resolved against the description's URL.
    pub control_url: String,
    /// `eventSubURL`, resolved likewise.
    pub event_url: String,
}

/// Find the WAN connection service in a device description fetched from `location`. Its URLs
/// are resolved against `URLBase` or `location`, and must be `http://` on the host of
/// `location`: a description cannot send dnsup to another machine.
pub fn parse_description(xml: &[u8], location: &str) -> Result<WanService, BadMessage> {
    if xml.len() > MAX_DESCRIPTION {
        return Err(bad("device description too long"));
    }
    let text = std::str::from_utf8(xml).map_err(|_| bad("device description is not UTF-8"))?;
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 10_000,
            ..Default::default()
        },
    )
    .map_err(|e| bad(format!("device description is not XML: {e}")))?;
    let base_text = doc
        .descendants()
        .find(|n| n.has_tag_name("URLBase"))
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(location);
    let location_url =
        reqwest::Url::parse(location).map_err(|e| bad(format!("bad LOCATION: {e}")))?;
    let base = reqwest::Url::parse(base_text).map_err(|e| bad(format!("bad URLBase: {e}")))?;
    let child = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
    };
    let services: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("service"))
        .filter_map(|n| Some((child(n, "serviceType")?, n)))
        .collect();
    for wanted in WAN_SERVICES {
        let Some((service_type, node)) = services.iter().find(|(t, _)| t == wanted) else {
            continue;
        };
        let resolve = |name: &str| -> Result<String, BadMessage> {
            let rel = child(*node, name).ok_or_else(|| bad(format!("{wanted}: no {name}")))?;
            let url = base
                .join(&rel)
                .map_err(|e| bad(format!("{wanted}: bad {name}: {e}")))?;
            if url.scheme() != "http"
                || url.host_str() != location_url.host_str()
                || url.port_or_known_default() != location_url.port_or_known_default()
            {
                return Err(bad(format!(
                    "{wanted}: {name} is not on the device that answered"
                )));
            }
            Ok(url.to_string())
        };
        return Ok(WanService {
            service_type: service_type.clone(),
            control_url: resolve("controlURL")?,
            event_url: resolve("eventSubURL")?,
        });
    }
    Err(bad(
        "the device offers no WANIPConnection or WANPPPConnection service",
    ))
}

/// The SOAP body of `GetExternalIPAddress` for `service_type`.
pub fn soap_request(service_type: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>\
         <u:GetExternalIPAddress xmlns:u=\"{service_type}\"></u:GetExternalIPAddress>\
         </s:Body></s:Envelope>\r\n"
    )
}

/// The `SOAPACTION` header value for `GetExternalIPAddress`.
pub fn soap_action(service_type: &str) -> String {
    format!("\"{service_type}#GetExternalIPAddress\"")
}

/// What a router answered to `GetExternalIPAddress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoapAnswer {
    /// `NewExternalIPAddress`; `None` when empty (no WAN connection).
    Address(Option<IpAddr>),
    /// A SOAP fault: UPnP error code and description.
    Fault(Option<u32>, String),
}

/// Read a SOAP answer (a fault arrives with HTTP status 500; both are read the same way).
pub fn parse_soap_answer(body: &[u8]) -> Result<SoapAnswer, BadMessage> {
    let doc = xml(body, "SOAP answer")?;
    if let Some(fault) = doc.descendants().find(|n| n.has_tag_name("Fault")) {
        let text = |name: &str| {
            fault
                .descendants()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .map(|t| t.trim().to_string())
        };
        return Ok(SoapAnswer::Fault(
            text("errorCode").and_then(|c| c.parse().ok()),
            text("errorDescription")
                .or_else(|| text("faultstring"))
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect(),
        ));
    }
    let node = doc
        .descendants()
        .find(|n| n.has_tag_name("NewExternalIPAddress"))
        .ok_or_else(|| bad("SOAP answer without NewExternalIPAddress"))?;
    let text = node.text().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Ok(SoapAnswer::Address(None));
    }
    text.parse()
        .map(|ip| SoapAnswer::Address(Some(ip)))
        .map_err(|_| bad("NewExternalIPAddress is not an address"))
}

fn xml<'a>(body: &'a [u8], what: &str) -> Result<roxmltree::Document<'a>, BadMessage> {
    if body.len() > MAX_BODY {
        return Err(bad(format!("{what} too long")));
    }
    let text = std::str::from_utf8(body).map_err(|_| bad(format!("{what} is not UTF-8")))?;
    roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 2_000,
            ..Default::default()
        },
    )
    .map_err(|e| bad(format!("{what} is not XML: {e}")))
}

/// A GENA subscription as the router granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `SID`: names the subscription in renewals and events.
    pub sid: String,
    /// Seconds until it expires (`TIMEOUT: Second-N`; "infinite" reads as a day).
    pub timeout: u32,
}

/// Read the headers of a SUBSCRIBE answer (status checked by the caller).
pub fn parse_subscription(
    sid: Option<&str>,
    timeout: Option<&str>,
) -> Result<Subscription, BadMessage> {
    let sid = sid
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 100 && s.is_ascii())
        .ok_or_else(|| bad("SUBSCRIBE answer without a usable SID"))?;
    let timeout = match timeout.map(str::trim) {
        None => 1800,
        Some(t) if t.eq_ignore_ascii_case("second-infinite") => 86_400,
        Some(t) => t
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("second-"))
            .and_then(|_| t[7..].parse().ok())
            .ok_or_else(|| bad("SUBSCRIBE answer with a bad TIMEOUT"))?,
    };
    Ok(Subscription {
        sid: sid.to_string(),
        timeout,
    })
}

/// A GENA event (`NOTIFY`), read for whom it is: its SID and which variables changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The subscription it belongs to.
    pub sid: String,
    /// The names of the changed state variables (`ExternalIPAddress`, `ConnectionStatus`...).
    pub variables: Vec<String>,
}

/// What a NOTIFY request needs before its body can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventHead {
    /// The head is not all there yet.
    Partial,
    /// The head ends at this offset; the body is `length` bytes.
    Complete {
        /// The subscription.
        sid: String,
        /// Where the body starts.
        body_start: usize,
        /// `CONTENT-LENGTH`.
        length: usize,
    },
}

/// Read the head of a request to dnsup's callback listener: it must be `NOTIFY` with
/// `NT: upnp:event`, `NTS: upnp:propchange`, a `SID` and a bounded `CONTENT-LENGTH`.
pub fn parse_event_head(bytes: &[u8]) -> Result<EventHead, BadMessage> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let body_start = match request.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if bytes.len() < MAX_DATAGRAM => {
            return Ok(EventHead::Partial);
        }
        Ok(httparse::Status::Partial) => return Err(bad("event head too long")),
        Err(e) => return Err(bad(format!("not an HTTP request: {e}"))),
    };
    if request.method != Some("NOTIFY") {
        return Err(bad("not a NOTIFY"));
    }
    let h = |name| header(request.headers, name);
    if h("nt").as_deref() != Some("upnp:event") || h("nts").as_deref() != Some("upnp:propchange") {
        return Err(bad("not a UPnP event"));
    }
    let sid = h("sid").ok_or_else(|| bad("event without SID"))?;
    let length = h("content-length")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l <= MAX_BODY)
        .ok_or_else(|| bad("event without a bounded CONTENT-LENGTH"))?;
    Ok(EventHead::Complete {
        sid,
        body_start,
        length,
    })
}

/// Read an event body (`e:propertyset`) for the names of the variables it reports.
pub fn parse_event_body(sid: String, body: &[u8]) -> Result<Event, BadMessage> {
    let doc = xml(body, "event")?;
    if !doc.root_element().has_tag_name("propertyset") {
        return Err(bad("event body is not a propertyset"));
    }
    let variables = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("property"))
        .flat_map(|p| p.children().filter(roxmltree::Node::is_element))
        .map(|v| v.tag_name().name().to_string())
        .collect();
    Ok(Event { sid, variables })
}

#[cfg(test)]
mod tests;
