//! kdig-style message text, as knsupdate (Knot 3.2) prints it for `show` (after `Update
//! query:`, followed by a blank line) and `answer` (after a blank line and `Answer:`).
//!
//! Layout, from the installed knsupdate: `;; ->>HEADER<<- opcode: UPDATE; status: NOERROR; id:
//! N`, `;; Flags: qr; ZONE: 1; PREREQ: 0; UPDATE: 0; ADDITIONAL: 1` with the real counts; each
//! non-empty section preceded by a blank line; owner names padded with spaces to 20 columns and
//! followed by a tab (a space once the name reaches 32 characters); the other fields end with a
//! tab; hex and base64 unbroken; the TSIG error, when set, replaces the status.

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};

use super::present::{Style, base64, class_text, name_text, rdata_text, type_text};
use super::render::{additionals, rcode_text, tsig_fields, tsig_rcode_text};
use super::session::Pending;

fn owner(out: &mut String, name: &Name) {
    let text = name_text(name);
    out.push_str(&format!("{text:<20}"));
    out.push(if text.len() < 32 { '\t' } else { ' ' });
}

fn question_line(out: &mut String, q: &Query) {
    out.push_str(";; ");
    owner(out, &q.name);
    out.push_str(&format!(
        "\t{}\t{}\n",
        class_text(q.query_class),
        type_text(q.query_type)
    ));
}

fn record_line(
    out: &mut String,
    name: &Name,
    ttl: u32,
    class: DNSClass,
    rtype: RecordType,
    rdata: &str,
) {
    owner(out, name);
    out.push_str(&format!(
        "{ttl}\t{}\t{}\t{rdata}\n",
        class_text(class),
        type_text(rtype)
    ));
}

fn section(out: &mut String, title: &str, records: &[Record]) {
    if records.is_empty() {
        return;
    }
    out.push_str(&format!("\n;; {title} SECTION:\n"));
    for r in records {
        let rdata = rdata_text(&r.data, Style::Knot);
        record_line(out, &r.name, r.ttl, r.dns_class, r.record_type(), &rdata);
    }
}

fn opcode_name(op: OpCode) -> String {
    match u8::from(op) {
        0 => "QUERY".into(),
        1 => "IQUERY".into(),
        2 => "STATUS".into(),
        4 => "NOTIFY".into(),
        5 => "UPDATE".into(),
        n => format!("Unknown({n})"),
    }
}

/// Text of `msg` as knsupdate prints it for `show` and `answer`.
pub fn render_kdig(msg: &Message) -> String {
    let m = &msg.metadata;
    let tsig = tsig_fields(msg);
    let status = match &tsig {
        Some((_, t)) if t.error != 0 => tsig_rcode_text(t.error),
        _ => rcode_text(u16::from(m.response_code)),
    };
    let mut flags = Vec::new();
    for (on, word) in [
        (m.message_type == MessageType::Response, "qr"),
        (m.authoritative, "aa"),
        (m.truncation, "tc"),
        (m.recursion_desired, "rd"),
        (m.recursion_available, "ra"),
        (m.authentic_data, "ad"),
        (m.checking_disabled, "cd"),
    ] {
        if on {
            flags.push(word);
        }
    }
    let extra = usize::from(msg.edns.is_some()) + usize::from(msg.signature.is_some());
    let mut out = format!(
        ";; ->>HEADER<<- opcode: {}; status: {status}; id: {}\n",
        opcode_name(m.op_code),
        m.id
    );
    out.push_str(&format!(
        ";; Flags: {}; ZONE: {}; PREREQ: {}; UPDATE: {}; ADDITIONAL: {}\n",
        flags.join(" "),
        msg.queries.len(),
        msg.answers.len(),
        msg.authorities.len(),
        msg.additionals.len() + extra
    ));
    if !msg.queries.is_empty() {
        out.push_str("\n;; ZONE SECTION:\n");
        for q in &msg.queries {
            question_line(&mut out, q);
        }
    }
    section(&mut out, "PREREQUISITE", &msg.answers);
    section(&mut out, "UPDATE", &msg.authorities);
    section(&mut out, "ADDITIONAL DATA", additionals(msg));
    if let Some((name, t)) = tsig {
        let mut text = format!("{} {} {} {}", t.algorithm, t.time, t.fudge, t.mac.len());
        if !t.mac.is_empty() {
            text.push(' ');
            text.push_str(&base64(&t.mac, Style::Knot));
        }
        text.push_str(&format!(
            " {} {} {}",
            t.original_id,
            tsig_rcode_text(t.error),
            t.other.len()
        ));
        if !t.other.is_empty() {
            text.push(' ');
            text.push_str(&base64(&t.other, Style::Knot));
        }
        out.push_str("\n;; TSIG PSEUDOSECTION:\n");
        record_line(&mut out, &name, 0, DNSClass::ANY, RecordType::TSIG, &text);
    }
    out
}

/// What knsupdate's `show` prints between its `Update query:` line and its final blank line,
/// with `id` as the message ID (knsupdate draws a random one for each show). Without a zone
/// knsupdate cannot build the message and shows the bare header.
pub fn render_kdig_show(pending: &Pending, id: u16) -> String {
    let mut msg = match pending.zone {
        Some(_) => pending.to_message(),
        None => Message::new(id, MessageType::Query, OpCode::Update),
    };
    msg.metadata.id = id;
    render_kdig(&msg)
}
