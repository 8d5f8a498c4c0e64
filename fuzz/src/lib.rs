//! Shared pieces of the fuzz targets: a fixed key and request, and the oracles several targets
//! use. An oracle failure is a panic with a message that says which property broke; libFuzzer
//! then saves the input as a crash.

use dnsup::script::{
    Action, Dialect, Pending, Session, render_dig, render_dig_show, render_kdig, render_kdig_show,
    render_sent, render_show, soa_step,
};
use dnsup::tsig::{self, Algorithm, Key, RequestMac};
use dnsup::update::Update;
use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};

/// Time signed of the fixed request (seconds since the epoch).
pub const SIGNED_AT: u64 = 1_700_000_000;

/// The message ID of the fixed request and of every message the oracles build.
pub const ID: u16 = 0x4242;

/// The key of every signed exchange in the targets (hmac-sha256, a fixed secret).
pub fn key() -> Key {
    key_with(Algorithm::HmacSha256, None)
}

/// A key with the fixed name and secret and the given algorithm and truncation.
pub fn key_with(algorithm: Algorithm, truncate_bits: Option<u16>) -> Key {
    let name = Name::from_ascii("fuzz-key.example.test.").expect("a valid key name");
    Key::new(
        name,
        algorithm,
        b"dnsup fuzz secret".to_vec(),
        truncate_bits,
    )
    .expect("a valid key")
}

/// The zone of the fixed request.
pub fn zone() -> Name {
    Name::from_ascii("example.test.").expect("a valid zone name")
}

/// A small UPDATE of [`zone`], unsigned, with ID [`ID`].
pub fn request_wire() -> Vec<u8> {
    let mut update = Update::new(zone());
    let name = Name::from_ascii("host.example.test.").expect("a valid name");
    update
        .change(dnsup::update::Change::DeleteRrset(
            name,
            hickory_proto::rr::RecordType::A,
        ))
        .expect("a valid change");
    update.to_wire(ID).expect("the fixed update encodes")
}

/// The fixed request signed with `key` at [`SIGNED_AT`]: the request MAC answers are verified
/// against.
pub fn signed_request(key: &Key) -> (Vec<u8>, RequestMac) {
    tsig::sign_request(&request_wire(), key, SIGNED_AT, tsig::DEFAULT_FUDGE)
        .expect("the fixed request signs")
}

/// Everything dnsup does with a parsed answer, for the side effect of not panicking: the dig
/// and kdig text (`answer`, debug output) and the SOA walk's reading of it.
pub fn use_message(msg: &Message) {
    let _ = render_dig(msg);
    let _ = render_dig_show(msg);
    let _ = render_kdig(msg);
    let _ = soa_step(msg, true);
    let _ = soa_step(msg, false);
    let _ = dnsup::client::rcode_name(msg.metadata.response_code);
}

/// Run `data` as a script of `dialect`, one line at a time as the front ends read a file
/// (split at LF, line breaks removed, invalid UTF-8 replaced), and check every update it would
/// send or show with [`check_pending`].
pub fn run_script(dialect: Dialect, data: &[u8]) {
    let mut session = Session::new(dialect);
    for raw in data.split(|b| *b == b'\n') {
        let mut raw = raw;
        while let [rest @ .., b'\r'] = raw {
            raw = rest;
        }
        let line = String::from_utf8_lossy(raw);
        let line = line.as_ref();
        match session.feed(line) {
            Ok(Some(Action::Send(p) | Action::Show(p))) => check_pending(&p),
            Ok(Some(Action::Quit)) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = e.to_string();
                let _ = e.nsupdate_stderr(true);
                let _ = e.nsupdate_stderr(false);
                let _ = e.library_log("28-Feb-2026 12:00:00.000", line);
            }
        }
    }
    session.finish();
    if let Some(p) = session.dropped() {
        check_pending(&p.clone());
    }
    check_pending(&session.pending());
}

/// The oracles for an update a script built:
/// - `show` renders (nsupdate and knsupdate forms);
/// - the update encodes, or is refused with an error (never a panic, never a silent cut);
/// - what is encoded decodes again (hickory `Message::from_vec`), to the same sections, and
///   hickory's re-encoding of that reads back the same (the bytes may differ: the two
///   encoders compress differently);
/// - it can be signed, the signed form decodes, and the debug print of the sent message renders.
pub fn check_pending(pending: &Pending) {
    let _ = render_show(pending);
    let _ = render_kdig_show(pending, ID);
    // The zone the front end would use without a `zone` command is found by discovery; any
    // name will do for the encoding, so use the first owner name, or the root.
    let zone = pending.zone.clone().unwrap_or_else(|| {
        pending
            .prerequisites
            .first()
            .map(|p| p.name().clone())
            .or_else(|| pending.changes.first().map(|c| c.name().clone()))
            .unwrap_or_else(Name::root)
    });
    let update = pending.to_update(zone);
    check_update(&update);
}

/// See [`check_pending`].
pub fn check_update(update: &Update) {
    let Ok(wire) = update.to_wire(ID) else {
        return;
    };
    let built = update.to_message(ID);
    let decoded = match Message::from_vec(&wire) {
        Ok(m) => m,
        // hickory's limits (see hickory_refuses); anything else that does not decode is a bug.
        Err(_) if hickory_refuses(&built) => return,
        Err(e) => panic!("an encoded update does not decode: {e}\n{update:?}"),
    };
    assert_same_message(&decoded, &built);
    // hickory's encoder compresses differently from dnsup's (it also points into SRV and
    // other record data written uncompressed, and stops after its first names), so the bytes
    // may differ; what it writes must read back as the same message.
    let again = decoded
        .to_vec()
        .unwrap_or_else(|e| panic!("a decoded update does not encode again: {e}"));
    let reread = Message::from_vec(&again)
        .unwrap_or_else(|e| panic!("hickory's re-encoding of an update does not decode: {e}"));
    assert_same_message(&reread, &built);

    let key = key();
    let (signed, _) = tsig::sign_request(&wire, &key, SIGNED_AT, tsig::DEFAULT_FUDGE)
        .unwrap_or_else(|e| panic!("an encoded update cannot be signed: {e}"));
    if signed.len() <= usize::from(u16::MAX) {
        let shown = render_sent(&signed, true);
        assert!(
            shown.is_some(),
            "a signed update does not decode for the debug print"
        );
        let _ = render_sent(&signed, false);
    }
}

/// A message as decoded from the wire and as built: the same header fields, zone (question)
/// section, and records (owner, type, class, TTL and data bytes) in every section.
pub fn assert_same_message(decoded: &Message, built: &Message) {
    assert_eq!(
        decoded.metadata, built.metadata,
        "header changed on the wire"
    );
    assert_eq!(
        decoded.queries, built.queries,
        "zone section changed on the wire"
    );
    for (what, got, sent) in [
        ("prerequisite", &decoded.answers, &built.answers),
        ("update", &decoded.authorities, &built.authorities),
        ("additional", &decoded.additionals, &built.additionals),
    ] {
        assert_eq!(got.len(), sent.len(), "{what} count changed on the wire");
        for (sent, got) in sent.iter().zip(got) {
            assert_record(sent, got, what);
        }
    }
}

/// One record sent and received: same owner, type, class, TTL and data.
fn assert_record(sent: &Record, got: &Record, what: &str) {
    assert_eq!(sent.name, got.name, "{what} owner changed on the wire");
    assert_eq!(
        sent.record_type(),
        got.record_type(),
        "{what} type changed on the wire"
    );
    assert_eq!(
        sent.dns_class, got.dns_class,
        "{what} class changed on the wire"
    );
    assert_eq!(sent.ttl, got.ttl, "{what} TTL changed on the wire");
    assert_eq!(
        wire_rdata(&sent.data),
        wire_rdata(&got.data),
        "{what} data changed on the wire: sent {:?}, got {:?}",
        sent.data,
        got.data
    );
}

/// A message dnsup may send that hickory's own decoder refuses to read back: record data the
/// script parsers keep as BIND's wire bytes (RData::Unknown with a type hickory knows) that
/// hickory's reader for the type refuses (a CAA tag longer than 15 characters, which BIND and
/// Knot accept), or an OPT, SIG or TSIG record outside the additional section (`del NAME SIG`),
/// which hickory accepts only there. That is hickory's limit, not an encoding error.
pub fn hickory_refuses(msg: &Message) -> bool {
    let raw_refused = |rdata: &RData| {
        let RData::Unknown { code, rdata } = rdata else {
            return false;
        };
        if matches!(code, RecordType::Unknown(_)) {
            return false;
        }
        let bytes = &rdata.anything;
        let mut decoder = BinDecoder::new(bytes);
        RData::read(&mut decoder, *code, Restrict::new(bytes.len() as u16)).is_err()
            || !decoder.is_empty()
    };
    let additional_only = |r: &Record| {
        matches!(
            r.record_type(),
            RecordType::OPT | RecordType::SIG | RecordType::TSIG
        )
    };
    msg.all_sections().any(|r| raw_refused(&r.data))
        || msg
            .answers
            .iter()
            .chain(&msg.authorities)
            .any(additional_only)
}

/// The wire form of record data.
pub fn wire_rdata(rdata: &hickory_proto::rr::RData) -> Vec<u8> {
    use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
    let mut buf = Vec::new();
    let mut encoder = BinEncoder::new(&mut buf);
    rdata
        .emit(&mut encoder)
        .unwrap_or_else(|e| panic!("record data does not encode: {e}: {rdata:?}"));
    buf
}

/// Input bytes as text the way the front ends read a file: UTF-8 or nothing.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
