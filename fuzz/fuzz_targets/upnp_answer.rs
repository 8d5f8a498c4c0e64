//! What a UPnP IGD (or anyone on the LAN) sends the upnp source and the event listener: an
//! SSDP answer or advertisement, a device description, a SOAP answer, a SUBSCRIBE answer's
//! headers, a GENA NOTIFY (head and body). The same bytes are offered to every parser.
//!
//! Oracles: a WAN service found in a description has `http://` URLs on the device that
//! answered (never another host); a NOTIFY head accepted has its body inside the bound; a
//! subscription has a short ASCII SID; sizes beyond the bounds are refused.
#![no_main]

use dnsup::ip::source::router::upnp::{
    EventHead, MAX_BODY, parse_advertisement, parse_description, parse_event_body,
    parse_event_head, parse_search_answer, parse_soap_answer, parse_subscription,
};
use libfuzzer_sys::fuzz_target;

const LOCATION: &str = "http://192.168.77.1:5000/rootDesc.xml";

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = parse_search_answer(data) {
        assert!(data.len() <= 2048);
        let _ = (a.location, a.target, a.boot_id);
    }
    let _ = parse_advertisement(data);
    if let Ok(s) = parse_description(data, LOCATION) {
        for url in [&s.control_url, &s.event_url] {
            assert!(
                url.starts_with("http://192.168.77.1:5000/"),
                "a service URL off the device: {url}"
            );
        }
    }
    let _ = parse_soap_answer(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let (sid, timeout) = text.split_once('\n').unwrap_or((text, ""));
        if let Ok(s) = parse_subscription(Some(sid), Some(timeout)) {
            assert!(!s.sid.is_empty() && s.sid.len() <= 100 && s.sid.is_ascii());
        }
    }
    if let Ok(EventHead::Complete {
        sid,
        body_start,
        length,
    }) = parse_event_head(data)
    {
        assert!(body_start <= data.len() && length <= MAX_BODY);
        let end = (body_start + length).min(data.len());
        let _ = parse_event_body(sid, &data[body_start..end]);
    }
});
