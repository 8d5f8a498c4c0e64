//! Prefix + host suffix: fixed suffixes, EUI-64 known answers, parsing.

use std::net::Ipv6Addr;

use crate::ip::suffix::{Suffix, SuffixError, compose, eui64};

fn v6(text: &str) -> Ipv6Addr {
    text.parse().unwrap()
}

#[test]
fn fixed_suffix_on_a_64() {
    let host = v6("2a01:4f8:1:2:21e:6ff:fe11:2233");
    let suffix: Suffix = "::1234:5678".parse().unwrap();
    assert_eq!(compose(host, 64, &suffix), v6("2a01:4f8:1:2::1234:5678"));
}

#[test]
fn fixed_suffix_with_subnet_bits_on_a_56() {
    // A /56 delegation: the suffix picks subnet 0x10 and host ::5.
    let host = v6("2a01:4f8:1:2ff::1");
    let suffix: Suffix = "0:0:0:10::5".parse().unwrap();
    assert_eq!(compose(host, 56, &suffix), v6("2a01:4f8:1:210::5"));
    assert_eq!(suffix.check(56), Ok(()));
}

#[test]
fn eui64_known_answer_rfc_2464() {
    // RFC 2464 section 4: "an Ethernet interface whose built-in address is, in hexadecimal,
    // 34-56-78-9A-BC-DE would have the Interface Identifier 36-56-78-FF-FE-9A-BC-DE".
    let mac = [0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde];
    assert_eq!(
        eui64(&mac),
        [0x36, 0x56, 0x78, 0xff, 0xfe, 0x9a, 0xbc, 0xde]
    );
    let suffix: Suffix = "34-56-78-9A-BC-DE".parse().unwrap();
    assert_eq!(suffix, Suffix::Eui64(mac));
    assert_eq!(
        compose(v6("2a01:4f8:1:2::1"), 64, &suffix),
        v6("2a01:4f8:1:2:3656:78ff:fe9a:bcde")
    );
}

#[test]
fn eui64_flips_the_universal_local_bit_both_ways() {
    // RFC 4291 appendix A: the "u" bit is inverted. A locally administered MAC (02:...)
    // gives an identifier with the bit clear, as the kernel's fe80:: addresses show.
    assert_eq!(
        eui64(&[0x02, 0x42, 0xac, 0x11, 0x00, 0x02]),
        [0x00, 0x42, 0xac, 0xff, 0xfe, 0x11, 0x00, 0x02]
    );
    let suffix: Suffix = "00:1e:06:11:22:33".parse().unwrap();
    assert_eq!(
        compose(v6("fe80::"), 64, &suffix),
        v6("fe80::21e:6ff:fe11:2233")
    );
}

#[test]
fn prefix_length_extremes() {
    let suffix: Suffix = "::abcd".parse().unwrap();
    assert_eq!(compose(v6("2a01:4f8::1"), 0, &suffix), v6("::abcd"));
    assert_eq!(compose(v6("2a01:4f8::1"), 128, &suffix), v6("2a01:4f8::1"));
    assert_eq!(compose(v6("2a01:4f8::1"), 200, &suffix), v6("2a01:4f8::1"));
}

#[test]
fn checks() {
    let mac = Suffix::Eui64([0; 6]);
    assert_eq!(mac.check(64), Ok(()));
    assert_eq!(mac.check(48), Ok(()));
    assert_eq!(mac.check(72), Err(SuffixError::Eui64PrefixTooLong(72)));
    assert_eq!(mac.check(129), Err(SuffixError::PrefixLength(129)));
    let overlapping: Suffix = "2001:db8::1".parse().unwrap();
    assert_eq!(
        overlapping.check(64).unwrap_err().to_string(),
        "suffix 2001:db8::1 has bits inside the /64 prefix"
    );
}

#[test]
fn parsing_and_serde() {
    assert_eq!("::1".parse::<Suffix>(), Ok(Suffix::Fixed(v6("::1"))));
    assert_eq!(
        "AA:bb:cc:dd:ee:ff".parse::<Suffix>(),
        Ok(Suffix::Eui64([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]))
    );
    for bad in [
        "",
        "aa:bb:cc:dd:ee",
        "aa:bb:cc:dd:ee:ff:00",
        "aa:bb:cc:dd:ee:fg",
        "a:b:c:d:e:f",
        "192.0.2.1",
    ] {
        assert!(
            matches!(bad.parse::<Suffix>(), Err(SuffixError::Syntax(_))),
            "{bad:?} parsed"
        );
    }
    for text in ["\"::1234:5678\"", "\"aa:bb:cc:dd:ee:ff\""] {
        let suffix: Suffix = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&suffix).unwrap(), text);
    }
    let err = serde_json::from_str::<Suffix>("\"eth0\"").unwrap_err();
    assert!(
        err.to_string().contains("neither an IPv6 host suffix"),
        "{err}"
    );
}
