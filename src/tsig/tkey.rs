//! TKEY (RFC 2930) in GSS-API mode (mode 3, RFC 3645 section 3.1): the query that carries a
//! GSS token to the server and the answer that carries the server's token back. Sans-IO.
//!
//! The query is what BIND's nsupdate sends: QNAME = the key name, QTYPE TKEY (249), QCLASS
//! ANY; the TKEY RR (owner = key name, class ANY, TTL 0) in the additional section, or in the
//! answer section for the Windows 2000 form (`gss.microsoft.com`, nsupdate `-o`); inception
//! and expiration = now (the server decides the lifetime); the token as the key data.

use hickory_proto::rr::Name;

use super::sign::TsigRcode;
use super::wire::{self, Reader, WireError};
use crate::gss::GssAlgorithm;

/// The TKEY RR type (RFC 2930 section 2).
pub const TYPE_TKEY: u16 = 249;
/// TKEY mode 3: GSS-API negotiation (RFC 2930 section 2.5).
pub const MODE_GSSAPI: u16 = 3;
const CLASS_ANY: u16 = 255;
const HEADER_LEN: usize = 12;

/// Why a TKEY answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TkeyError {
    /// The answer is not a well-formed DNS message with a TKEY record.
    #[error("malformed TKEY answer: {0}")]
    Malformed(&'static str),
    /// The server answered with this response code and no TKEY record.
    #[error("the server answered the TKEY query with {0}")]
    Rcode(String),
    /// The TKEY record carries an error (RFC 2930 section 2.6: BADMODE 19, BADNAME 20,
    /// BADALG 21, or a TSIG error).
    #[error("the server refused the TKEY negotiation: {0}{hint}", hint = tkey_hint(*.0))]
    Tkey(TsigRcode),
    /// The server answered in another mode than GSS-API.
    #[error("the server answered TKEY mode {0} instead of GSS-API (3)")]
    Mode(u16),
    /// The key name is too long to be a DNS name.
    #[error("cannot make a TKEY key name from '{0}'")]
    KeyName(String),
}

fn tkey_hint(rcode: TsigRcode) -> &'static str {
    match rcode {
        TsigRcode::BadMode => " (the server does not do GSS-API key negotiation)",
        TsigRcode::BadName => " (the key name is already in use; try again)",
        TsigRcode::BadAlg => {
            " (the server does not accept this algorithm name: try gsstsig instead of oldgsstsig, or the reverse)"
        }
        TsigRcode::BadKey => " (the server has no keytab for GSS-TSIG, or cannot read it)",
        _ => "",
    }
}

impl From<WireError> for TkeyError {
    fn from(e: WireError) -> Self {
        TkeyError::Malformed(e.0)
    }
}

/// The key name nsupdate uses: `<random>.sig-<primary>.` (the first label of the primary gets a
/// `sig-` prefix). A primary whose first label is too long for the prefix gets
/// `<random>.sig.<primary>.` instead.
pub fn key_name(random: u32, primary: &Name) -> Result<Name, TkeyError> {
    let primary_text = primary.to_ascii();
    let primary_text = primary_text.trim_end_matches('.');
    let fallback = || {
        Name::from_ascii(format!("{random}.sig.{primary_text}."))
            .map_err(|_| TkeyError::KeyName(primary_text.to_string()))
    };
    if primary.is_root() {
        return Name::from_ascii(format!("{random}.sig-.")).or_else(|_| fallback());
    }
    match Name::from_ascii(format!("{random}.sig-{primary_text}.")) {
        Ok(name) => Ok(name),
        Err(_) => fallback(),
    }
}

/// Build the TKEY query carrying `token` (RFC 2930 section 4, RFC 3645 section 3.1.1).
pub fn build_query(
    id: u16,
    key_name: &Name,
    algorithm: GssAlgorithm,
    now: u64,
    token: &[u8],
) -> Result<Vec<u8>, TkeyError> {
    let owner = wire::canonical_name_bytes(key_name);
    let alg = algorithm.wire_bytes();
    let token_len =
        u16::try_from(token.len()).map_err(|_| TkeyError::Malformed("GSS token too long"))?;
    let rdlength = alg.len() + 4 + 4 + 2 + 2 + 2 + token.len() + 2;
    let rdlength =
        u16::try_from(rdlength).map_err(|_| TkeyError::Malformed("GSS token too long"))?;
    // The Windows 2000 form puts the TKEY RR in the answer section (BIND dns_tkey).
    let in_answer = algorithm == GssAlgorithm::Microsoft;
    let mut m = Vec::with_capacity(HEADER_LEN + 2 * owner.len() + usize::from(rdlength) + 16);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x00, 0x00]); // QR=0, opcode QUERY, no flags
    m.extend_from_slice(&1u16.to_be_bytes()); // QDCOUNT
    m.extend_from_slice(&u16::from(in_answer).to_be_bytes()); // ANCOUNT
    m.extend_from_slice(&0u16.to_be_bytes()); // NSCOUNT
    m.extend_from_slice(&u16::from(!in_answer).to_be_bytes()); // ARCOUNT
    m.extend_from_slice(&owner);
    m.extend_from_slice(&TYPE_TKEY.to_be_bytes());
    m.extend_from_slice(&CLASS_ANY.to_be_bytes());
    m.extend_from_slice(&owner);
    m.extend_from_slice(&TYPE_TKEY.to_be_bytes());
    m.extend_from_slice(&CLASS_ANY.to_be_bytes());
    m.extend_from_slice(&0u32.to_be_bytes()); // TTL
    m.extend_from_slice(&rdlength.to_be_bytes());
    m.extend_from_slice(alg);
    let now32 = now as u32; // RFC 2930: serial-number arithmetic on 32-bit times.
    m.extend_from_slice(&now32.to_be_bytes()); // inception
    m.extend_from_slice(&now32.to_be_bytes()); // expiration
    m.extend_from_slice(&MODE_GSSAPI.to_be_bytes());
    m.extend_from_slice(&0u16.to_be_bytes()); // error
    m.extend_from_slice(&token_len.to_be_bytes());
    m.extend_from_slice(token);
    m.extend_from_slice(&0u16.to_be_bytes()); // other size
    if m.len() > usize::from(u16::MAX) {
        return Err(TkeyError::Malformed("TKEY query too long"));
    }
    Ok(m)
}

/// The useful contents of a TKEY answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TkeyAnswer {
    /// The server's GSS token (empty when it has none to send).
    pub token: Vec<u8>,
    /// Inception time (32-bit, RFC 2930 serial arithmetic).
    pub inception: u32,
    /// Expiration time (32-bit).
    pub expiration: u32,
}

impl TkeyAnswer {
    /// The context lifetime in seconds the server granted (0 when it did not say).
    pub fn lifetime(&self) -> u32 {
        self.expiration.wrapping_sub(self.inception)
    }
}

/// True if `bytes` looks like the answer to the TKEY query with `id` (ID, QR, opcode QUERY).
pub fn matches_query(bytes: &[u8], id: u16) -> bool {
    bytes.len() >= HEADER_LEN
        && u16::from_be_bytes([bytes[0], bytes[1]]) == id
        && bytes[2] & 0x80 != 0
        && (bytes[2] >> 3) & 0x0f == 0
}

/// Parse the answer to a TKEY query for `key_name`: the first TKEY RR owned by the key name in
/// the answer (or additional) section. A TSIG RR on the answer is ignored (as nsupdate does:
/// Windows signs it in its own way; mutual authentication comes from the GSS token itself).
pub fn parse_answer(bytes: &[u8], key_name: &Name) -> Result<TkeyAnswer, TkeyError> {
    if bytes.len() < HEADER_LEN {
        return Err(TkeyError::Malformed("shorter than a DNS header"));
    }
    let rcode = bytes[3] & 0x0f;
    let mut r = Reader::new(bytes);
    r.take(4)?;
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    for _ in 0..counts[0] {
        r.skip_name()?;
        r.take(4)?;
    }
    let owner_wanted = wire::canonical_name_bytes(key_name);
    let records = usize::from(counts[1]) + usize::from(counts[2]) + usize::from(counts[3]);
    let mut found = None;
    for _ in 0..records {
        let owner = r.canonical_name()?;
        let rtype = r.u16()?;
        r.take(6)?;
        let rdlength = usize::from(r.u16()?);
        let rdata = r.take(rdlength)?;
        if rtype == TYPE_TKEY && owner == owner_wanted && found.is_none() {
            found = Some(rdata);
        }
    }
    let Some(rdata) = found else {
        return Err(if rcode != 0 {
            TkeyError::Rcode(crate::client::rcode_name(
                hickory_proto::op::ResponseCode::from(0, rcode),
            ))
        } else {
            TkeyError::Malformed("no TKEY record for our key name in the answer")
        });
    };
    let mut t = Reader::new(rdata);
    t.canonical_name()?; // algorithm: servers echo ours; the TSIG that follows says it again
    let inception = t.u32()?;
    let expiration = t.u32()?;
    let mode = t.u16()?;
    let error = t.u16()?;
    let key_len = usize::from(t.u16()?);
    let token = t.take(key_len)?.to_vec();
    let other_len = usize::from(t.u16()?);
    t.take(other_len)?;
    if t.pos() != rdata.len() {
        return Err(TkeyError::Malformed(
            "TKEY RDATA length does not match its contents",
        ));
    }
    if let Some(e) = TsigRcode::from_code(error) {
        return Err(TkeyError::Tkey(e));
    }
    if mode != MODE_GSSAPI {
        return Err(TkeyError::Mode(mode));
    }
    if rcode != 0 {
        return Err(TkeyError::Rcode(crate::client::rcode_name(
            hickory_proto::op::ResponseCode::from(0, rcode),
        )));
    }
    Ok(TkeyAnswer {
        token,
        inception,
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn key_names_as_nsupdate() {
        assert_eq!(
            key_name(1234, &name("ns.example.test.")).unwrap(),
            name("1234.sig-ns.example.test.")
        );
        let long = format!("{}.example.", "a".repeat(62));
        assert_eq!(
            key_name(7, &name(&long)).unwrap(),
            name(&format!("7.sig.{long}"))
        );
        assert!(key_name(7, &Name::root()).is_ok());
    }

    #[rustfmt::skip]
    const QUERY: &[u8] = &[
        0x12, 0x34,             // ID
        0x00, 0x00,             // QR=0, opcode QUERY
        0x00, 0x01,             // QDCOUNT
        0x00, 0x00,             // ANCOUNT
        0x00, 0x00,             // NSCOUNT
        0x00, 0x01,             // ARCOUNT: the TKEY RR
        0x01, b'7', 0x06, b's', b'i', b'g', b'-', b'n', b's', 0x00, // QNAME 7.sig-ns.
        0x00, 0xf9,             // QTYPE TKEY
        0x00, 0xff,             // QCLASS ANY
        0x01, b'7', 0x06, b's', b'i', b'g', b'-', b'n', b's', 0x00, // owner 7.sig-ns.
        0x00, 0xf9,             // type TKEY
        0x00, 0xff,             // class ANY
        0x00, 0x00, 0x00, 0x00, // TTL 0
        0x00, 0x1d,             // RDLENGTH 29
        0x08, b'g', b's', b's', b'-', b't', b's', b'i', b'g', 0x00, // algorithm gss-tsig.
        0x65, 0x53, 0xf1, 0x00, // inception 1700000000
        0x65, 0x53, 0xf1, 0x00, // expiration = inception
        0x00, 0x03,             // mode 3 (GSS-API)
        0x00, 0x00,             // error 0
        0x00, 0x03, 0xaa, 0xbb, 0xcc, // key size 3, the token
        0x00, 0x00,             // other size 0
    ];

    #[test]
    fn query_wire() {
        let q = build_query(
            0x1234,
            &name("7.sig-ns."),
            GssAlgorithm::GssTsig,
            1_700_000_000,
            &[0xaa, 0xbb, 0xcc],
        )
        .unwrap();
        assert_eq!(q, QUERY);
        let ms = build_query(1, &name("7.sig-ns."), GssAlgorithm::Microsoft, 0, &[]).unwrap();
        assert_eq!(
            &ms[6..12],
            &[0, 1, 0, 0, 0, 0],
            "win2k form: TKEY in the answer section"
        );
        assert!(build_query(1, &name("a."), GssAlgorithm::GssTsig, 0, &[0; 70_000]).is_err());
    }

    /// The server's answer: the query turned into a response, TKEY moved to the answer section.
    fn answer(error: u16, mode: u16, token: &[u8], rcode: u8) -> Vec<u8> {
        let mut a = QUERY[..26].to_vec();
        a[2] = 0x80;
        a[3] = rcode;
        a[6..12].copy_from_slice(&[0, 1, 0, 0, 0, 0]);
        a.extend_from_slice(&[0xc0, 0x0c, 0x00, 0xf9, 0x00, 0xff, 0, 0, 0, 0]);
        let mut rdata = b"\x08gss-tsig\x00".to_vec();
        rdata.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        rdata.extend_from_slice(&1_700_003_600u32.to_be_bytes());
        rdata.extend_from_slice(&mode.to_be_bytes());
        rdata.extend_from_slice(&error.to_be_bytes());
        rdata.extend_from_slice(&(token.len() as u16).to_be_bytes());
        rdata.extend_from_slice(token);
        rdata.extend_from_slice(&[0, 0]);
        a.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        a.extend_from_slice(&rdata);
        a
    }

    #[test]
    fn answers() {
        let key = name("7.sig-ns.");
        let a = answer(0, 3, b"ap-rep", 0);
        assert!(matches_query(&a, 0x1234));
        assert!(!matches_query(&a, 0x1235));
        assert!(!matches_query(QUERY, 0x1234), "a query is not an answer");
        let parsed = parse_answer(&a, &key).unwrap();
        assert_eq!(parsed.token, b"ap-rep");
        assert_eq!(parsed.lifetime(), 3600);
        for (code, rcode) in [
            (19, TsigRcode::BadMode),
            (20, TsigRcode::BadName),
            (21, TsigRcode::BadAlg),
        ] {
            let e = parse_answer(&answer(code, 3, b"", 0), &key).unwrap_err();
            assert_eq!(e, TkeyError::Tkey(rcode));
        }
        assert!(
            parse_answer(&answer(20, 3, b"", 0), &key)
                .unwrap_err()
                .to_string()
                .contains("BADNAME")
        );
        assert_eq!(
            parse_answer(&answer(0, 2, b"", 0), &key).unwrap_err(),
            TkeyError::Mode(2)
        );
        assert!(matches!(
            parse_answer(&answer(0, 3, b"", 5), &key).unwrap_err(),
            TkeyError::Rcode(r) if r == "REFUSED"
        ));
        assert!(matches!(
            parse_answer(&answer(0, 3, b"", 0), &name("other.")).unwrap_err(),
            TkeyError::Malformed(_)
        ));
        let mut refused = QUERY[..26].to_vec();
        refused[2] = 0x80;
        refused[3] = 5;
        refused[10..12].copy_from_slice(&[0, 0]);
        assert_eq!(
            parse_answer(&refused, &key).unwrap_err(),
            TkeyError::Rcode("REFUSED".into())
        );
    }

    #[test]
    fn never_panics_on_truncation() {
        let a = answer(0, 3, b"token", 0);
        for len in 0..a.len() {
            assert!(
                parse_answer(&a[..len], &name("7.sig-ns.")).is_err(),
                "{len}"
            );
        }
        let mut lying = a.clone();
        let last = lying.len() - 9;
        lying[last] = 0xff; // key size far beyond the RDATA
        assert!(parse_answer(&lying, &name("7.sig-ns.")).is_err());
    }
}
