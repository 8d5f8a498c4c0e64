//! dig-style message text, byte for byte as BIND 9.18's nsupdate prints it for `show` (after
//! `Outgoing update query:`) and `answer` (after `Answer:`).
//!
//! Layout (BIND `dns_message_totext` with `dns_master_style_debug`, confirmed against the
//! installed nsupdate): a header line with the ID as `%6u`; a flags line with the UPDATE section
//! names; each non-empty section as `;; NAME SECTION:`, its records, and a blank line; the TSIG
//! pseudosection last. Record fields are aligned on columns 24 (TTL), 32 (class), 40 (type) and
//! 48 (data) with tabs of width 8; a field that overruns its column gets one space or a tab to
//! the next tab stop, exactly as BIND's `indent()` does.

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};

use super::present::{
    Style, Wire, base64, class_text, name_text, rdata_text, rdata_wire, type_text,
};
use super::session::Pending;

const TTL_COLUMN: usize = 24;
const CLASS_COLUMN: usize = 32;
const TYPE_COLUMN: usize = 40;
const RDATA_COLUMN: usize = 48;
const TAB: usize = 8;

/// Text of an answer (or any message), with the section counts of the message.
pub fn render_dig(msg: &Message) -> String {
    render(msg, false)
}

/// nsupdate's `show` of a message not yet sent: BIND fills the section counts only when it
/// renders to wire, so `show` always prints `ZONE: 0, PREREQ: 0, UPDATE: 0, ADDITIONAL: 0`.
pub fn render_dig_show(msg: &Message) -> String {
    render(msg, true)
}

/// Exactly what nsupdate's `show` prints after its `Outgoing update query:` line: ID 0, zero
/// counts, the zone section only when a zone is set.
pub fn render_show(pending: &Pending) -> String {
    render_dig_show(&pending.to_message())
}

/// nsupdate's debug print of an update it sent (`Outgoing update query:`), from the signed
/// wire bytes: the real section counts, and the zone section only when the `zone` command set
/// one (BIND's `show_message` resets the zone section to the user's zone before printing).
pub fn render_sent(wire: &[u8], show_zone: bool) -> Option<String> {
    let msg = Message::from_vec(wire).ok()?;
    let text = render(&msg, false);
    if show_zone {
        return Some(text);
    }
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if line == ";; ZONE SECTION:\n" {
            skipping = true;
            continue;
        }
        if skipping {
            skipping = line != "\n";
            continue;
        }
        out.push_str(line);
    }
    Some(out)
}

/// BIND's `indent()`: tabs to the tab stop at or before `to`, then spaces; at least one blank.
fn indent(out: &mut String, column: &mut usize, to: usize) {
    let to = to.max(*column + 1);
    let tabs = to / TAB - *column / TAB;
    let mut from = *column;
    if tabs > 0 {
        out.extend(std::iter::repeat_n('\t', tabs));
        from = to / TAB * TAB;
    }
    out.extend(std::iter::repeat_n(' ', to - from));
    *column = to;
}

fn field(out: &mut String, column: &mut usize, to: usize, text: &str) {
    indent(out, column, to);
    out.push_str(text);
    *column += text.len();
}

fn question_line(out: &mut String, q: &Query) {
    out.push(';');
    let name = name_text(&q.name);
    out.push_str(&name);
    // The leading ';' is not counted: BIND starts the column count at the name.
    let mut column = name.len();
    field(out, &mut column, CLASS_COLUMN, &class_text(q.query_class));
    field(out, &mut column, TYPE_COLUMN, &type_text(q.query_type));
    out.push('\n');
}

pub(crate) fn record_line(
    out: &mut String,
    name: &Name,
    ttl: u32,
    class: DNSClass,
    rtype: RecordType,
    rdata: &str,
) {
    let name = name_text(name);
    out.push_str(&name);
    let mut column = name.len();
    field(out, &mut column, TTL_COLUMN, &ttl.to_string());
    field(out, &mut column, CLASS_COLUMN, &class_text(class));
    field(out, &mut column, TYPE_COLUMN, &type_text(rtype));
    field(out, &mut column, RDATA_COLUMN, rdata);
    out.push('\n');
}

fn section(out: &mut String, title: &str, records: &[Record]) {
    if records.is_empty() {
        return;
    }
    out.push_str(&format!(";; {title} SECTION:\n"));
    for r in records {
        let rdata = rdata_text(&r.data, Style::Bind);
        record_line(out, &r.name, r.ttl, r.dns_class, r.record_type(), &rdata);
    }
    out.push('\n');
}

/// BIND `dns_opcode_totext`.
pub(crate) fn opcode_text(op: OpCode) -> String {
    match u8::from(op) {
        0 => "QUERY".into(),
        1 => "IQUERY".into(),
        2 => "STATUS".into(),
        4 => "NOTIFY".into(),
        5 => "UPDATE".into(),
        n => format!("RESERVED{n}"),
    }
}

/// BIND `dns_rcode_totext`: the mnemonic of a response code.
pub fn rcode_text(code: u16) -> String {
    const NAMES: [&str; 11] = [
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
        "NXRRSET", "NOTAUTH", "NOTZONE",
    ];
    match code {
        0..=10 => NAMES[usize::from(code)].into(),
        11..=15 => format!("RESERVED{code}"),
        16 => "BADVERS".into(),
        23 => "BADCOOKIE".into(),
        n => n.to_string(),
    }
}

/// BIND `dns_tsigrcode_totext`: the mnemonic of a TSIG error (or response code).
pub fn tsig_rcode_text(code: u16) -> String {
    match code {
        16 => "BADSIG".into(),
        17 => "BADKEY".into(),
        18 => "BADTIME".into(),
        19 => "BADMODE".into(),
        20 => "BADNAME".into(),
        21 => "BADALG".into(),
        22 => "BADTRUNC".into(),
        n => rcode_text(n),
    }
}

/// The flags of the header, each with a leading space, in BIND's order.
pub(crate) fn flag_words(msg: &Message) -> String {
    let m = &msg.metadata;
    let mut out = String::new();
    for (on, word) in [
        (m.message_type == MessageType::Response, " qr"),
        (m.authoritative, " aa"),
        (m.truncation, " tc"),
        (m.recursion_desired, " rd"),
        (m.recursion_available, " ra"),
        (m.authentic_data, " ad"),
        (m.checking_disabled, " cd"),
    ] {
        if on {
            out.push_str(word);
        }
    }
    out
}

/// The decoded fields of a TSIG RDATA: algorithm text, time, fudge, MAC, original ID, error,
/// other data.
pub(crate) struct TsigFields {
    pub(crate) algorithm: String,
    pub(crate) time: u64,
    pub(crate) fudge: u16,
    pub(crate) mac: Vec<u8>,
    pub(crate) original_id: u16,
    pub(crate) error: u16,
    pub(crate) other: Vec<u8>,
}

/// The records of the additional section that are not the TSIG record (hickory keeps TSIG in
/// `signature`, or, when it does not decode TSIG, as the last additional record).
pub(crate) fn additionals(msg: &Message) -> &[Record] {
    match msg.additionals.split_last() {
        Some((last, rest)) if msg.signature.is_none() && last.record_type() == RecordType::TSIG => {
            rest
        }
        _ => &msg.additionals,
    }
}

pub(crate) fn tsig_fields(msg: &Message) -> Option<(Name, TsigFields)> {
    use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
    let (name, wire) = match &msg.signature {
        Some(sig) => {
            let mut wire = Vec::new();
            sig.data.emit(&mut BinEncoder::new(&mut wire)).ok()?;
            (sig.name.clone(), wire)
        }
        None => {
            let last = msg
                .additionals
                .last()
                .filter(|r| r.record_type() == RecordType::TSIG)?;
            (last.name.clone(), rdata_wire(&last.data))
        }
    };
    let mut w = Wire::new(&wire);
    let algorithm = w.name()?;
    let time = w.bytes(6)?.iter().fold(0u64, |t, b| t << 8 | u64::from(*b));
    let fudge = w.u16()?;
    let mac_len = w.u16()?;
    let mac = w.bytes(usize::from(mac_len))?.to_vec();
    let original_id = w.u16()?;
    let error = w.u16()?;
    let other_len = w.u16()?;
    let other = w.bytes(usize::from(other_len))?.to_vec();
    let fields = TsigFields {
        algorithm,
        time,
        fudge,
        mac,
        original_id,
        error,
        other,
    };
    Some((name, fields))
}

fn tsig_section(out: &mut String, msg: &Message) {
    let Some((name, t)) = tsig_fields(msg) else {
        return;
    };
    // BIND's tsig_250.c totext; an empty MAC leaves no word, other data ends with a space.
    let mut text = format!("{} {} {} {}", t.algorithm, t.time, t.fudge, t.mac.len());
    if !t.mac.is_empty() {
        text.push(' ');
        text.push_str(&base64(&t.mac, Style::Bind));
    }
    text.push_str(&format!(
        " {} {} {} {}",
        t.original_id,
        tsig_rcode_text(t.error),
        t.other.len(),
        base64(&t.other, Style::Bind)
    ));
    out.push_str(";; TSIG PSEUDOSECTION:\n");
    record_line(out, &name, 0, DNSClass::ANY, RecordType::TSIG, &text);
    out.push('\n');
}

fn opt_section(out: &mut String, msg: &Message) {
    let Some(edns) = &msg.edns else { return };
    // Not seen in nsupdate's traffic (it sends no EDNS); the first line of BIND's format.
    out.push_str(";; OPT PSEUDOSECTION:\n");
    let flags = if edns.flags().dnssec_ok { " do" } else { "" };
    out.push_str(&format!(
        "; EDNS: version: {}, flags:{flags}; udp: {}\n",
        edns.version(),
        edns.max_payload()
    ));
}

fn render(msg: &Message, zero_counts: bool) -> String {
    let m = &msg.metadata;
    let update = m.op_code == OpCode::Update;
    let names = if update {
        ["ZONE", "PREREQ", "UPDATE"]
    } else {
        ["QUESTION", "ANSWER", "AUTHORITY"]
    };
    let counts = if zero_counts {
        [0; 4]
    } else {
        let extra = usize::from(msg.edns.is_some()) + usize::from(msg.signature.is_some());
        // The TSIG record counts in ADDITIONAL wherever hickory put it.
        [
            msg.queries.len(),
            msg.answers.len(),
            msg.authorities.len(),
            msg.additionals.len() + extra,
        ]
    };
    let mut out = format!(
        ";; ->>HEADER<<- opcode: {}, status: {}, id: {:>6}\n",
        opcode_text(m.op_code),
        rcode_text(u16::from(m.response_code)),
        m.id
    );
    out.push_str(&format!(
        ";; flags:{}; {}: {}, {}: {}, {}: {}, ADDITIONAL: {}\n",
        flag_words(msg),
        names[0],
        counts[0],
        names[1],
        counts[1],
        names[2],
        counts[2],
        counts[3]
    ));
    opt_section(&mut out, msg);
    if !msg.queries.is_empty() {
        out.push_str(&format!(
            ";; {} SECTION:\n",
            if update { "ZONE" } else { "QUESTION" }
        ));
        for q in &msg.queries {
            question_line(&mut out, q);
        }
        out.push('\n');
    }
    let titles = if update {
        ["PREREQUISITE", "UPDATE", "ADDITIONAL"]
    } else {
        ["ANSWER", "AUTHORITY", "ADDITIONAL"]
    };
    section(&mut out, titles[0], &msg.answers);
    section(&mut out, titles[1], &msg.authorities);
    section(&mut out, titles[2], additionals(msg));
    tsig_section(&mut out, msg);
    out
}
