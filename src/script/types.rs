//! Record type mnemonics as BIND 9.18 knows them (`dns_rdatatype_fromtext` / `_totext`): the
//! table `nsupdate -T` prints, and the meta types it accepts but never lists.

use hickory_proto::rr::RecordType;

/// BIND 9.18.49's data types in `nsupdate -T` order (type code order).
pub(crate) const DATA_TYPES: &[(&str, u16)] = &[
    ("A", 1),
    ("NS", 2),
    ("MD", 3),
    ("MF", 4),
    ("CNAME", 5),
    ("SOA", 6),
    ("MB", 7),
    ("MG", 8),
    ("MR", 9),
    ("NULL", 10),
    ("WKS", 11),
    ("PTR", 12),
    ("HINFO", 13),
    ("MINFO", 14),
    ("MX", 15),
    ("TXT", 16),
    ("RP", 17),
    ("AFSDB", 18),
    ("X25", 19),
    ("ISDN", 20),
    ("RT", 21),
    ("NSAP", 22),
    ("NSAP-PTR", 23),
    ("SIG", 24),
    ("KEY", 25),
    ("PX", 26),
    ("GPOS", 27),
    ("AAAA", 28),
    ("LOC", 29),
    ("NXT", 30),
    ("EID", 31),
    ("NIMLOC", 32),
    ("SRV", 33),
    ("ATMA", 34),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("A6", 38),
    ("DNAME", 39),
    ("SINK", 40),
    ("APL", 42),
    ("DS", 43),
    ("SSHFP", 44),
    ("IPSECKEY", 45),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("DHCID", 49),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("TLSA", 52),
    ("SMIMEA", 53),
    ("HIP", 55),
    ("NINFO", 56),
    ("RKEY", 57),
    ("TALINK", 58),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("DSYNC", 66),
    ("HHIT", 67),
    ("BRID", 68),
    ("SPF", 99),
    ("UINFO", 100),
    ("UID", 101),
    ("GID", 102),
    ("UNSPEC", 103),
    ("NID", 104),
    ("L32", 105),
    ("L64", 106),
    ("LP", 107),
    ("EUI48", 108),
    ("EUI64", 109),
    ("URI", 256),
    ("CAA", 257),
    ("AVC", 258),
    ("DOA", 259),
    ("AMTRELAY", 260),
    ("RESINFO", 261),
    ("WALLET", 262),
    ("TA", 32768),
    ("DLV", 32769),
];

/// The meta types BIND reads but `-T` does not list.
const META_TYPES: &[(&str, u16)] = &[
    ("OPT", 41),
    ("TKEY", 249),
    ("TSIG", 250),
    ("IXFR", 251),
    ("AXFR", 252),
    ("MAILB", 253),
    ("MAILA", 254),
    ("ANY", 255),
];

/// What `nsupdate -T` prints: one data type mnemonic per line.
pub fn iana_type_list() -> String {
    DATA_TYPES.iter().map(|(n, _)| format!("{n}\n")).collect()
}

/// What `nsupdate -P` prints: BIND 9.18 names no private types (65280-65534), so nothing.
pub fn private_type_list() -> String {
    String::new()
}

/// `dns_rdatatype_fromtext`: a mnemonic (any case) or `TYPEnnn` (1 to 5 digits, at most 65535).
pub(crate) fn parse_type(word: &str) -> Option<RecordType> {
    let upper = word.to_ascii_uppercase();
    if let Some(digits) = upper.strip_prefix("TYPE")
        && !digits.is_empty()
        && digits.len() <= 5
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return digits.parse::<u16>().ok().map(RecordType::from);
    }
    DATA_TYPES
        .iter()
        .chain(META_TYPES)
        .find(|(name, _)| *name == upper)
        .map(|(_, code)| RecordType::from(*code))
}

/// `dns_rdatatype_totext`: the mnemonic, or `TYPEnnn`.
pub(crate) fn type_text(rtype: RecordType) -> String {
    let code = u16::from(rtype);
    DATA_TYPES
        .iter()
        .chain(META_TYPES)
        .find(|(_, c)| *c == code)
        .map_or_else(|| format!("TYPE{code}"), |(name, _)| (*name).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse_type("loc"), Some(RecordType::from(29)));
        assert_eq!(parse_type("NSAP-PTR"), Some(RecordType::from(23)));
        assert_eq!(parse_type("TYPE65280"), Some(RecordType::from(65280)));
        assert_eq!(parse_type("type1"), Some(RecordType::A));
        assert_eq!(parse_type("TYPE65536"), None);
        assert_eq!(parse_type("TYPE"), None);
        assert_eq!(parse_type("TYPE000001"), None);
        assert_eq!(parse_type("BOGUS"), None);
        assert_eq!(parse_type("any"), Some(RecordType::ANY));
        assert_eq!(type_text(RecordType::from(29)), "LOC");
        assert_eq!(type_text(RecordType::from(65280)), "TYPE65280");
        assert_eq!(iana_type_list().lines().count(), 86);
    }
}
