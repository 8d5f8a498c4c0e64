//! GSS-TSIG (RFC 3645): the TKEY answer parser and the verification of GSS-TSIG signed answers,
//! with the fake GSS mechanism (HMAC-SHA256 "MICs" under a fixed secret).
//!
//! 1. Arbitrary bytes as a TKEY answer: `tkey::parse_answer` returns (never panics), and a
//!    token it returns is no longer than the input.
//! 2. Arbitrary bytes as the answer to a fixed GSS-TSIG signed request: under every policy,
//!    verification never reports an authenticated signature (the fuzzer cannot forge a MIC).
//! 3. The first byte picks the signing form (RFC 8945 or Samba's), the rest is a response body
//!    signed like a server: `compatible` accepts both and says which, `strict` accepts only the
//!    RFC form, the body comes back exactly, and a changed byte under the MAC fails.
#![no_main]

use dnsup::gss::fake::{FakeContext, fake_mic};
use dnsup::gss::{GssAlgorithm, GssKey, VerifyPolicy};
use dnsup::tsig::gss::{SignatureVariant, sign_request_gss, sign_response_gss, verify_response_gss};
use dnsup::tsig::tkey;
use dnsup_fuzz::{SIGNED_AT, request_wire};
use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzz gss context";

fn key(policy: VerifyPolicy) -> GssKey {
    GssKey::new(
        Name::from_ascii("7.sig-ns1.example.test.").expect("a valid key name"),
        GssAlgorithm::GssTsig,
        policy,
        Box::new(FakeContext::new(SECRET)),
        SIGNED_AT + 3600,
    )
}

fuzz_target!(|data: &[u8]| {
    // 1. TKEY answers.
    let name = Name::from_ascii("7.sig-ns1.example.test.").expect("a valid key name");
    if let Ok(answer) = tkey::parse_answer(data, &name) {
        assert!(answer.token.len() <= data.len());
    }

    // 2. Fuzzed bytes never authenticate.
    for policy in [VerifyPolicy::Strict, VerifyPolicy::Compatible, VerifyPolicy::Off] {
        let k = key(policy);
        let (_, mac) = sign_request_gss(&request_wire(), &k, SIGNED_AT, 300).expect("signable");
        if let Ok(v) = verify_response_gss(data, &mac, &k, SIGNED_AT) {
            assert!(
                matches!(v.variant, SignatureVariant::NotChecked | SignatureVariant::Unsigned),
                "a fuzzed answer passed MIC verification ({:?}, {policy:?})",
                v.variant
            );
        }
    }

    // 3. Round trip in both forms.
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let samba = control & 1 == 1;
    for policy in [VerifyPolicy::Strict, VerifyPolicy::Compatible] {
        let k = key(policy);
        let (_, mac) = sign_request_gss(&request_wire(), &k, SIGNED_AT, 300).expect("signable");
        let Some(signed) =
            sign_response_gss(body, &mac, GssAlgorithm::GssTsig, SIGNED_AT, samba, |d| {
                fake_mic(SECRET, true, d)
            })
        else {
            return;
        };
        let result = verify_response_gss(&signed, &mac, &k, SIGNED_AT);
        // The body must itself be a well-formed message for the TSIG RR to be found last.
        let Ok(v) = result else {
            continue;
        };
        let expected = if samba {
            SignatureVariant::SambaNoMacLength
        } else {
            SignatureVariant::Rfc8945
        };
        assert!(!(samba && policy == VerifyPolicy::Strict), "strict accepted Samba's form");
        assert_eq!(v.variant, expected);
        let mut body_with_id = body.to_vec();
        body_with_id[..2].copy_from_slice(&dnsup_fuzz::ID.to_be_bytes());
        assert_eq!(v.message, body_with_id, "the body did not come back");
        if body.len() > 12 {
            let mut tampered = signed.clone();
            tampered[12] ^= 0x01;
            if let Ok(t) = verify_response_gss(&tampered, &mac, &k, SIGNED_AT) {
                panic!("a changed byte still verified ({:?})", t.variant);
            }
        }
    }
});
