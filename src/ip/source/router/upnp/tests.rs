use super::*;

#[test]
fn writes_an_m_search() {
    let m = m_search(SEARCH_TARGETS[0], 2);
    assert!(m.starts_with("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"));
    assert!(m.contains("MAN: \"ssdp:discover\"\r\n"));
    assert!(m.contains("ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"));
    assert!(m.ends_with("\r\n\r\n"));
}

#[test]
fn reads_a_search_answer() {
    // As miniupnpd 2.3.1 answers.
    let answer = b"HTTP/1.1 200 OK\r\n\
        CACHE-CONTROL: max-age=120\r\n\
        ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\
        USN: uuid:1234::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\
        EXT:\r\n\
        SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r\n\
        LOCATION: http://192.168.77.1:5000/rootDesc.xml\r\n\
        OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n\
        01-NLS: 1700000000\r\n\
        BOOTID.UPNP.ORG: 1700000000\r\n\
        CONFIGID.UPNP.ORG: 1337\r\n\r\n";
    let a = parse_search_answer(answer).unwrap();
    assert_eq!(a.location, "http://192.168.77.1:5000/rootDesc.xml");
    assert_eq!(a.target, SEARCH_TARGETS[0]);
    assert_eq!(a.boot_id, Some(1_700_000_000));
}

#[test]
fn refuses_bad_search_answers() {
    assert!(parse_search_answer(b"").is_err());
    assert!(parse_search_answer(b"HTTP/1.1 200 OK\r\nST: x\r\n").is_err()); // cut short
    assert!(
        parse_search_answer(b"HTTP/1.1 404 Not Found\r\nLOCATION: x\r\nST: y\r\n\r\n").is_err()
    );
    assert!(parse_search_answer(b"HTTP/1.1 200 OK\r\nST: y\r\n\r\n").is_err()); // no LOCATION
    assert!(parse_search_answer(&[b'a'; 4000]).is_err());
    // An M-SEARCH (ours, looped back) is not an answer.
    assert!(parse_search_answer(m_search("x", 1).as_bytes()).is_err());
}

const DESCRIPTION: &str = r#"<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337">
<specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>
<serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL>
<SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList>
</device></deviceList></device></deviceList></device></root>"#;

#[test]
fn finds_the_wan_service() {
    let s = parse_description(
        DESCRIPTION.as_bytes(),
        "http://192.168.77.1:5000/rootDesc.xml",
    )
    .unwrap();
    assert_eq!(
        s.service_type,
        "urn:schemas-upnp-org:service:WANIPConnection:2"
    );
    assert_eq!(s.control_url, "http://192.168.77.1:5000/ctl/IPConn");
    assert_eq!(s.event_url, "http://192.168.77.1:5000/evt/IPConn");
}

#[test]
fn refuses_urls_on_another_host() {
    let elsewhere = DESCRIPTION.replace("/ctl/IPConn", "http://203.0.113.9/ctl");
    let e = parse_description(
        elsewhere.as_bytes(),
        "http://192.168.77.1:5000/rootDesc.xml",
    )
    .unwrap_err();
    assert!(e.0.contains("not on the device"), "{e}");
    let base = DESCRIPTION.replace(
        "<specVersion>",
        "<URLBase>https://192.168.77.1:5000/</URLBase><specVersion>",
    );
    assert!(parse_description(base.as_bytes(), "http://192.168.77.1:5000/").is_err());
}

#[test]
fn refuses_bad_descriptions() {
    let loc = "http://192.168.77.1:5000/";
    assert!(parse_description(b"", loc).is_err());
    assert!(parse_description(b"<root/>", loc).is_err());
    assert!(parse_description(&[0xff, 0xfe], loc).is_err());
    // Entity expansion ("billion laughs") is refused: no DTD at all.
    let dtd = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>"#;
    assert!(parse_description(dtd.as_bytes(), loc).is_err());
    assert!(parse_description(DESCRIPTION.as_bytes(), "not a url").is_err());
}

#[test]
fn reads_soap_answers() {
    let ok = br#"<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"><NewExternalIPAddress>100.128.0.2</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>"#;
    assert_eq!(
        parse_soap_answer(ok),
        Ok(SoapAnswer::Address(Some("100.128.0.2".parse().unwrap())))
    );
    let empty = br#"<s:Envelope xmlns:s="x"><s:Body><u:R xmlns:u="y"><NewExternalIPAddress></NewExternalIPAddress></u:R></s:Body></s:Envelope>"#;
    assert_eq!(parse_soap_answer(empty), Ok(SoapAnswer::Address(None)));
    let fault = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>501</errorCode><errorDescription>Action Failed</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>"#;
    assert_eq!(
        parse_soap_answer(fault),
        Ok(SoapAnswer::Fault(Some(501), "Action Failed".into()))
    );
    assert!(parse_soap_answer(b"<a><NewExternalIPAddress>x</NewExternalIPAddress></a>").is_err());
    assert!(parse_soap_answer(b"<a/>").is_err());
}

#[test]
fn writes_the_soap_request() {
    let t = "urn:schemas-upnp-org:service:WANIPConnection:1";
    let body = soap_request(t);
    assert!(body.contains(
        r#"<u:GetExternalIPAddress xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">"#
    ));
    assert_eq!(soap_action(t), format!("\"{t}#GetExternalIPAddress\""));
    // Our own request is well-formed XML.
    assert!(roxmltree::Document::parse(&body).is_ok());
}

#[test]
fn reads_subscriptions() {
    let s = parse_subscription(Some("uuid:abc"), Some("Second-1800")).unwrap();
    assert_eq!((s.sid.as_str(), s.timeout), ("uuid:abc", 1800));
    assert_eq!(
        parse_subscription(Some("uuid:abc"), Some("second-infinite"))
            .unwrap()
            .timeout,
        86_400
    );
    assert!(parse_subscription(None, Some("Second-5")).is_err());
    assert!(parse_subscription(Some("uuid:a"), Some("Minute-5")).is_err());
    assert!(parse_subscription(Some("uuid:a"), Some("Second-x")).is_err());
    assert!(parse_subscription(Some("uuid:a"), Some("Sécond-1")).is_err());
}

#[test]
fn reads_an_event() {
    let body = r#"<?xml version="1.0"?>
<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><ExternalIPAddress>100.128.1.2</ExternalIPAddress></e:property><e:property><ConnectionStatus>Connected</ConnectionStatus></e:property></e:propertyset>"#;
    let head = format!(
        "NOTIFY / HTTP/1.1\r\nHOST: 192.168.77.10:40000\r\nCONTENT-TYPE: text/xml; charset=\"utf-8\"\r\n\
         NT: upnp:event\r\nNTS: upnp:propchange\r\nSID: uuid:abc\r\nSEQ: 1\r\nCONTENT-LENGTH: {}\r\n\r\n",
        body.len()
    );
    let message = format!("{head}{body}");
    let EventHead::Complete {
        sid,
        body_start,
        length,
    } = parse_event_head(message.as_bytes()).unwrap()
    else {
        panic!("head not complete");
    };
    assert_eq!(
        (sid.as_str(), body_start, length),
        ("uuid:abc", head.len(), body.len())
    );
    let e = parse_event_body(sid, &message.as_bytes()[body_start..]).unwrap();
    assert_eq!(e.variables, ["ExternalIPAddress", "ConnectionStatus"]);
    assert_eq!(
        parse_event_head(&message.as_bytes()[..20]),
        Ok(EventHead::Partial)
    );
}

#[test]
fn refuses_other_requests_to_the_listener() {
    assert!(parse_event_head(b"GET / HTTP/1.1\r\n\r\n").is_err());
    assert!(parse_event_head(b"NOTIFY / HTTP/1.1\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nCONTENT-LENGTH: 5\r\n\r\n").is_err());
    assert!(parse_event_head(b"NOTIFY / HTTP/1.1\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: x\r\nCONTENT-LENGTH: 99999999\r\n\r\n").is_err());
    assert!(parse_event_head(&[b'x'; 3000]).is_err());
    assert!(parse_event_body("x".into(), b"<a/>").is_err());
}

#[test]
fn reads_advertisements() {
    let alive = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=120\r\n\
        LOCATION: http://192.168.77.1:5000/rootDesc.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\
        USN: uuid:1::upnp:rootdevice\r\nBOOTID.UPNP.ORG: 1700000001\r\n\r\n";
    assert_eq!(
        parse_advertisement(alive),
        Ok(Advertisement {
            alive: true,
            boot_id: Some(1_700_000_001)
        })
    );
    let bye = b"NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nNTS: ssdp:byebye\r\n\r\n";
    assert_eq!(
        parse_advertisement(bye),
        Ok(Advertisement {
            alive: false,
            boot_id: None
        })
    );
    assert!(parse_advertisement(m_search("x", 1).as_bytes()).is_err());
    assert!(parse_advertisement(b"NOTIFY * HTTP/1.1\r\nNTS: ssdp:update\r\n\r\n").is_err());
    assert!(parse_advertisement(b"NOTIFY / HTTP/1.1\r\nNTS: ssdp:alive\r\n\r\n").is_err());
}
