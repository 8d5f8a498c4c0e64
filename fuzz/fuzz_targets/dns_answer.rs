//! A server's answer to a signed UPDATE or query, as `client::check_answer` judges it (ID, QR,
//! opcode, TSIG, question), then everything dnsup does with an accepted answer (dig and kdig
//! text, the SOA walk).
//!
//! The input is the answer's bytes. Each input is tried three ways:
//! 1. as is, unsigned exchange: accepted only if hickory parses it and the question matches;
//! 2. as is, answer to the fixed signed request: must not be accepted as authenticated (the
//!    fuzzer cannot forge an HMAC-SHA256); unsigned BADSIG/BADKEY answers are accepted unsigned;
//! 3. as the body of an answer that the harness signs like a server with the request's MAC
//!    (ID fixed up): the oracle is that TSIG is transparent: it is accepted, authenticated, and
//!    carries exactly the message an unsigned exchange would get from the same body.
#![no_main]

use dnsup::fuzz_api::{check_answer, unsigned_rcode};
use dnsup::tsig::{self, DEFAULT_FUDGE, VerifyError};
use dnsup_fuzz::{ID, key, signed_request, use_message, zone};
use hickory_proto::op::OpCode;
use hickory_proto::rr::{DNSClass, RecordType};
use libfuzzer_sys::fuzz_target;
use std::time::{SystemTime, UNIX_EPOCH};

fuzz_target!(|data: &[u8]| {
    let key = key();
    let (_, mac) = signed_request(&key);
    let question = (zone(), RecordType::SOA, DNSClass::IN);
    // The opcode the answer claims; check_answer compares it with the request's.
    let op_code = data
        .get(2)
        .map_or(OpCode::Update, |b| OpCode::from_u8((b >> 3) & 0x0f));
    let id = data
        .get(..2)
        .map_or(ID, |b| u16::from_be_bytes([b[0], b[1]]));

    // 1. Unsigned.
    let plain = check_answer(data, id, op_code, &question, None, None, None);
    if let Ok((outcome, _)) = &plain {
        assert!(
            !outcome.authenticated,
            "an unsigned exchange claims authentication"
        );
        use_message(&outcome.response);
        let _ = outcome.rcode_name();
        let _ = outcome.clock_skew();
    }

    // 2. Signed request, the bytes as they came.
    let signed = check_answer(
        data,
        id,
        op_code,
        &question,
        Some(&key),
        Some(&mac),
        Some(1),
    );
    if let Ok((outcome, _)) = &signed {
        assert!(
            !outcome.authenticated,
            "a fuzzed answer passed HMAC verification: {data:02x?}"
        );
        use_message(&outcome.response);
        let _ = outcome.clock_skew();
    }
    let _ = unsigned_rcode(data, id, Some(&key));

    // 3. The bytes as the body of an answer the server signs.
    if data.len() < 12 {
        return;
    }
    let mut body = data.to_vec();
    body[..2].copy_from_slice(&ID.to_be_bytes());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let Ok(answer) = tsig::sign_response(&body, &mac, &key, now, DEFAULT_FUDGE, None, &[]) else {
        return;
    };
    let op_code = OpCode::from_u8((body[2] >> 3) & 0x0f);
    let unsigned = check_answer(&body, ID, op_code, &question, None, None, None);
    let verified = check_answer(
        &answer,
        ID,
        op_code,
        &question,
        Some(&key),
        Some(&mac),
        Some(1),
    );
    match (unsigned, verified) {
        (Ok((u, u_tc)), Ok((v, v_tc))) => {
            assert!(
                v.authenticated,
                "a correctly signed answer is not authenticated"
            );
            assert_eq!(v.tsig_error, None, "a TSIG error appeared");
            assert_eq!(u_tc, v_tc, "signing changed the TC bit");
            assert_eq!(
                u.response.to_vec().ok(),
                v.response.to_vec().ok(),
                "signing changed the message"
            );
            use_message(&v.response);
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(why)) => {
            // A well-formed body without a TSIG record (what a server signs) must verify.
            if tsig::verify_response(&body, &mac, &key, now) == Err(VerifyError::NoTsig) {
                panic!("a correctly signed answer is rejected: {why}");
            }
        }
        (Err(why), Ok(_)) => {
            panic!("signing made an unacceptable answer acceptable (unsigned: {why})")
        }
    }
});
