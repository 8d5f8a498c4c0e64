use hickory_proto::rr::Name;

use super::*;
use crate::gss::fake::{FakeContext, fake_mic};
use crate::gss::{GssAlgorithm, GssKey, VerifyPolicy};
use crate::tsig::testutil::{KAT_RESPONSE_TIME, KAT_TIME, REQUEST, RESPONSE};

const SECRET: &[u8] = b"fake gss context";

fn key(algorithm: GssAlgorithm, policy: VerifyPolicy) -> GssKey {
    GssKey::new(
        Name::from_ascii("1234.sig-NS.example.test.").unwrap(),
        algorithm,
        policy,
        Box::new(FakeContext::new(SECRET)),
        KAT_TIME + 3600,
    )
}

#[test]
fn request_mac_is_the_mic_of_the_rfc8945_digest() {
    let k = key(GssAlgorithm::GssTsig, VerifyPolicy::Strict);
    let (signed, mac) = sign_request_gss(REQUEST, &k, KAT_TIME, 300).unwrap();
    // The digest: message, key name (lower case), class ANY, TTL 0, algorithm, time, fudge,
    // error 0, other length 0 (RFC 8945 section 4.3.2-4.3.3).
    let mut digest = REQUEST.to_vec();
    digest.extend_from_slice(b"\x041234\x06sig-ns\x07example\x04test\x00");
    digest.extend_from_slice(&[0x00, 0xff, 0, 0, 0, 0]);
    digest.extend_from_slice(b"\x08gss-tsig\x00");
    digest.extend_from_slice(&[0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x01, 0x2c, 0, 0, 0, 0]);
    assert_eq!(mac.mac(), fake_mic(SECRET, false, &digest));
    assert_eq!(&signed[10..12], &[0, 1], "ARCOUNT counts the TSIG RR");
    let tail = &signed[REQUEST.len()..];
    assert!(tail.starts_with(b"\x041234\x06sig-ns\x07example\x04test\x00\x00\xfa\x00\xff"));
    assert!(tail.windows(10).any(|w| w == b"\x08gss-tsig\x00"));
}

#[test]
fn microsoft_algorithm_name() {
    let k = key(GssAlgorithm::Microsoft, VerifyPolicy::Strict);
    let (signed, _) = sign_request_gss(REQUEST, &k, KAT_TIME, 300).unwrap();
    assert!(
        signed
            .windows(19)
            .any(|w| w == b"\x03gss\x09microsoft\x03com\x00")
    );
}

fn answer(k: &GssKey, omit_length: bool, server_secret: &[u8]) -> (GssRequestMac, Vec<u8>) {
    let (_, mac) = sign_request_gss(REQUEST, k, KAT_TIME, 300).unwrap();
    let resp = sign_response_gss(
        RESPONSE,
        &mac,
        k.algorithm(),
        KAT_RESPONSE_TIME,
        omit_length,
        |d| fake_mic(server_secret, true, d),
    )
    .unwrap();
    (mac, resp)
}

#[test]
fn policies() {
    use SignatureVariant::*;
    // (policy, Samba's form?, expected)
    let cases = [
        (VerifyPolicy::Strict, false, Some(Rfc8945)),
        (VerifyPolicy::Strict, true, None),
        (VerifyPolicy::Compatible, false, Some(Rfc8945)),
        (VerifyPolicy::Compatible, true, Some(SambaNoMacLength)),
        (VerifyPolicy::Off, true, Some(NotChecked)),
    ];
    for (policy, samba, expected) in cases {
        let k = key(GssAlgorithm::GssTsig, policy);
        let (mac, resp) = answer(&k, samba, SECRET);
        let got = verify_response_gss(&resp, &mac, &k, KAT_TIME + 1);
        match expected {
            Some(variant) => {
                let v = got.unwrap();
                assert_eq!(v.variant, variant, "{policy:?} {samba}");
                assert_eq!(v.message, RESPONSE);
                assert_eq!(v.server_error, None);
            }
            None => assert_eq!(got.unwrap_err(), VerifyError::BadMac, "{policy:?}"),
        }
    }
}

#[test]
fn forged_and_mismatched_answers_are_rejected() {
    let k = key(GssAlgorithm::GssTsig, VerifyPolicy::Compatible);
    let (mac, forged) = answer(&k, false, b"another context");
    assert_eq!(
        verify_response_gss(&forged, &mac, &k, KAT_TIME).unwrap_err(),
        VerifyError::BadMac
    );
    let (mac, good) = answer(&k, false, SECRET);
    assert_eq!(
        verify_response_gss(RESPONSE, &mac, &k, KAT_TIME).unwrap_err(),
        VerifyError::NoTsig
    );
    let late = verify_response_gss(&good, &mac, &k, KAT_RESPONSE_TIME + 301).unwrap_err();
    assert!(matches!(late, VerifyError::BadTime { .. }));
    let other = key(GssAlgorithm::Microsoft, VerifyPolicy::Compatible);
    assert_eq!(
        verify_response_gss(&good, &mac, &other, KAT_TIME).unwrap_err(),
        VerifyError::AlgorithmMismatch
    );
    let mut renamed = mac.clone();
    renamed.key_name = b"\x01x\x00".to_vec();
    assert_eq!(
        verify_response_gss(&good, &renamed, &k, KAT_TIME).unwrap_err(),
        VerifyError::KeyMismatch
    );
    for len in 0..good.len() {
        assert!(verify_response_gss(&good[..len], &mac, &k, KAT_TIME).is_err());
    }
}

#[test]
fn unsignable() {
    let k = key(GssAlgorithm::GssTsig, VerifyPolicy::Strict);
    assert!(matches!(
        sign_request_gss(&REQUEST[..5], &k, KAT_TIME, 300),
        Err(GssSignError::Tsig(TsigError::MessageTooShort { len: 5 }))
    ));
    assert!(sign_request_gss(REQUEST, &k, 1 << 48, 300).is_err());
}
