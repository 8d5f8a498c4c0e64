//! The little DNS wire walking TSIG needs: find the last record of a message, decode a TSIG RR
//! (RFC 8945 section 4.2) and write one.
//!
//! This sees untrusted answers, so every read is bounds-checked and returns [`WireError`] instead
//! of panicking, and compressed names are decoded with a hop limit so pointer loops terminate.
//! Only the TSIG RR itself is decoded; other records are skipped by their RDLENGTH.

use hickory_proto::rr::Name;

/// Length of the DNS header (RFC 1035 section 4.1.1).
pub(crate) const HEADER_LEN: usize = 12;
/// RR type TSIG (RFC 8945 section 4.2).
pub(crate) const TYPE_TSIG: u16 = 250;
/// CLASS ANY, the only class a TSIG RR may have.
pub(crate) const CLASS_ANY: u16 = 255;
/// Offset of ARCOUNT in the header.
pub(crate) const ARCOUNT_OFFSET: usize = 10;
/// Largest value of the 48-bit "time signed" field.
pub(crate) const MAX_TIME: u64 = 0xffff_ffff_ffff;

/// Why a message could not be walked. The text is a fixed description, never message content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WireError(pub(crate) &'static str);

type Result<T> = std::result::Result<T, WireError>;

/// A bounds-checked cursor over a message.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn at(buf: &'a [u8], pos: usize) -> Reader<'a> {
        Reader { buf, pos }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(WireError("length overflow"))?;
        let bytes = self
            .buf
            .get(self.pos..end)
            .ok_or(WireError("message truncated"))?;
        self.pos = end;
        Ok(bytes)
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u48(&mut self) -> Result<u64> {
        Ok(read_u48(self.take(6)?))
    }

    /// Skip a possibly compressed name without following pointers.
    pub(crate) fn skip_name(&mut self) -> Result<()> {
        loop {
            let len = self.take(1)?[0];
            match len & 0xc0 {
                0x00 if len == 0 => return Ok(()),
                0x00 => {
                    self.take(usize::from(len))?;
                }
                0xc0 => {
                    self.take(1)?;
                    return Ok(());
                }
                _ => return Err(WireError("unsupported label type")),
            }
        }
    }

    /// Read a possibly compressed name and return it in canonical wire form: uncompressed,
    /// ASCII letters lower-cased (RFC 4034 section 6.2), as the TSIG digest requires.
    pub(crate) fn canonical_name(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(32);
        let mut pos = self.pos;
        // Where reading resumes once a pointer has been followed.
        let mut resume = None;
        let mut hops = 0;
        loop {
            let len = *self.buf.get(pos).ok_or(WireError("message truncated"))?;
            match len & 0xc0 {
                0x00 if len == 0 => {
                    out.push(0);
                    pos += 1;
                    break;
                }
                0x00 => {
                    let label = self
                        .buf
                        .get(pos + 1..pos + 1 + usize::from(len))
                        .ok_or(WireError("message truncated"))?;
                    out.push(len);
                    out.extend(label.iter().map(u8::to_ascii_lowercase));
                    // 255 counts the final root label still to come.
                    if out.len() >= 255 {
                        return Err(WireError("name longer than 255 bytes"));
                    }
                    pos += 1 + usize::from(len);
                }
                0xc0 => {
                    let low = *self
                        .buf
                        .get(pos + 1)
                        .ok_or(WireError("message truncated"))?;
                    let target = usize::from(len & 0x3f) << 8 | usize::from(low);
                    // Pointing strictly backwards, with a hop limit, rules out loops.
                    hops += 1;
                    if target >= pos || hops > 127 {
                        return Err(WireError("bad compression pointer"));
                    }
                    resume.get_or_insert(pos + 2);
                    pos = target;
                }
                _ => return Err(WireError("unsupported label type")),
            }
        }
        self.pos = resume.unwrap_or(pos);
        Ok(out)
    }
}

/// A name in canonical wire form (RFC 4034 section 6.2): uncompressed, ASCII lower case.
pub(crate) fn canonical_name_bytes(name: &Name) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 2);
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    out.push(0);
    out
}

pub(crate) fn read_u48(b: &[u8]) -> u64 {
    b.iter().take(6).fold(0, |acc, &x| acc << 8 | u64::from(x))
}

pub(crate) fn u48_bytes(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// Read the header field at `offset` (the caller has checked the header is complete).
pub(crate) fn header_u16(msg: &[u8], offset: usize) -> Result<u16> {
    Reader::at(msg, offset).u16()
}

/// Overwrite the header field at `offset`.
pub(crate) fn set_header_u16(msg: &mut [u8], offset: usize, value: u16) -> Result<()> {
    let field = msg
        .get_mut(offset..offset + 2)
        .ok_or(WireError("message shorter than a DNS header"))?;
    field.copy_from_slice(&value.to_be_bytes());
    Ok(())
}

/// A decoded TSIG RR (RFC 8945 section 4.2), names in canonical form.
#[derive(Debug)]
pub(crate) struct TsigRecord<'a> {
    /// Offset of the RR's owner name: the message without TSIG is everything before it.
    pub(crate) start: usize,
    pub(crate) owner: Vec<u8>,
    pub(crate) algorithm: Vec<u8>,
    pub(crate) time_signed: u64,
    pub(crate) fudge: u16,
    pub(crate) mac: &'a [u8],
    pub(crate) original_id: u16,
    pub(crate) error: u16,
    pub(crate) other: &'a [u8],
}

/// Where the TSIG RR of a message is.
#[derive(Debug)]
pub(crate) enum Found<'a> {
    /// The message has no TSIG RR.
    None,
    /// A TSIG RR is present somewhere other than the last additional record.
    NotLast,
    /// The last record is a TSIG RR in the additional section.
    Last(TsigRecord<'a>),
}

/// Walk the whole message and decode its TSIG RR if it is the last additional record.
pub(crate) fn find_tsig(msg: &[u8]) -> Result<Found<'_>> {
    if msg.len() < HEADER_LEN {
        return Err(WireError("message shorter than a DNS header"));
    }
    let mut r = Reader::new(msg);
    r.take(4)?;
    let counts = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
    for _ in 0..counts[0] {
        r.skip_name()?;
        r.take(4)?;
    }
    let records = usize::from(counts[1]) + usize::from(counts[2]) + usize::from(counts[3]);
    let mut tsig_before_last = false;
    let mut last = None;
    for i in 0..records {
        let start = r.pos();
        r.skip_name()?;
        let rtype = r.u16()?;
        r.take(6)?;
        let rdlength = r.u16()?;
        r.take(usize::from(rdlength))?;
        if rtype == TYPE_TSIG && i + 1 < records {
            tsig_before_last = true;
        }
        last = Some((start, rtype));
    }
    if r.pos() != msg.len() {
        return Err(WireError("trailing bytes after the last record"));
    }
    match last {
        _ if tsig_before_last => Ok(Found::NotLast),
        Some((_, TYPE_TSIG)) if counts[3] == 0 => Ok(Found::NotLast),
        Some((start, TYPE_TSIG)) => parse_tsig(msg, start).map(Found::Last),
        _ => Ok(Found::None),
    }
}

fn parse_tsig(msg: &[u8], start: usize) -> Result<TsigRecord<'_>> {
    let mut r = Reader::at(msg, start);
    let owner = r.canonical_name()?;
    r.u16()?; // type, known to be TSIG
    if r.u16()? != CLASS_ANY {
        return Err(WireError("TSIG record class is not ANY"));
    }
    r.u32()?; // TTL: the digest always uses 0
    let rdlength = usize::from(r.u16()?);
    let rdata_start = r.pos();
    let algorithm = r.canonical_name()?;
    let time_signed = r.u48()?;
    let fudge = r.u16()?;
    let mac_size = r.u16()?;
    let mac = r.take(usize::from(mac_size))?;
    let original_id = r.u16()?;
    let error = r.u16()?;
    let other_len = r.u16()?;
    let other = r.take(usize::from(other_len))?;
    if r.pos() - rdata_start != rdlength {
        return Err(WireError("TSIG RDLENGTH does not match its contents"));
    }
    Ok(TsigRecord {
        start,
        owner,
        algorithm,
        time_signed,
        fudge,
        mac,
        original_id,
        error,
        other,
    })
}

/// The fields of a TSIG RR to write, names already in canonical wire form.
pub(crate) struct TsigFields<'a> {
    pub(crate) owner: &'a [u8],
    pub(crate) algorithm: &'a [u8],
    pub(crate) time_signed: u64,
    pub(crate) fudge: u16,
    pub(crate) mac: &'a [u8],
    pub(crate) original_id: u16,
    pub(crate) error: u16,
    pub(crate) other: &'a [u8],
}

impl TsigFields<'_> {
    /// Append the RR. Names are written uncompressed: some servers (Windows) reject a
    /// compressed TSIG owner name.
    pub(crate) fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        let rdlength =
            self.algorithm.len() + 6 + 2 + 2 + self.mac.len() + 2 + 2 + 2 + self.other.len();
        let rdlength = u16::try_from(rdlength).map_err(|_| WireError("TSIG RDATA too long"))?;
        out.extend_from_slice(self.owner);
        out.extend_from_slice(&TYPE_TSIG.to_be_bytes());
        out.extend_from_slice(&CLASS_ANY.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&rdlength.to_be_bytes());
        out.extend_from_slice(self.algorithm);
        out.extend_from_slice(&u48_bytes(self.time_signed));
        out.extend_from_slice(&self.fudge.to_be_bytes());
        out.extend_from_slice(&(self.mac.len() as u16).to_be_bytes());
        out.extend_from_slice(self.mac);
        out.extend_from_slice(&self.original_id.to_be_bytes());
        out.extend_from_slice(&self.error.to_be_bytes());
        out.extend_from_slice(&(self.other.len() as u16).to_be_bytes());
        out.extend_from_slice(self.other);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_at(buf: &[u8], pos: usize) -> std::result::Result<(Vec<u8>, usize), WireError> {
        let mut r = Reader::at(buf, pos);
        let name = r.canonical_name()?;
        Ok((name, r.pos()))
    }

    #[test]
    fn canonical_names_follow_pointers_and_lower_case() {
        #[rustfmt::skip]
        let buf = [
            0x03, b'C', b'o', b'M', 0x00,     // 0: CoM.
            0x07, b'E', b'x', b'a', b'm', b'p', b'l', b'e', 0xc0, 0x00, // 5: Example + ptr 0
            0x03, b'W', b'w', b'W', 0xc0, 0x05, // 15: WwW + ptr 5
            0xc0, 0x0f,                       // 21: ptr 15
        ];
        assert_eq!(name_at(&buf, 0).unwrap(), (b"\x03com\x00".to_vec(), 5));
        assert_eq!(
            name_at(&buf, 5).unwrap(),
            (b"\x07example\x03com\x00".to_vec(), 15)
        );
        assert_eq!(
            name_at(&buf, 21).unwrap(),
            (b"\x03www\x07example\x03com\x00".to_vec(), 23)
        );
        let mut r = Reader::at(&buf, 15);
        r.skip_name().unwrap();
        assert_eq!(r.pos(), 21);
    }

    #[test]
    fn bad_names_are_errors() {
        let bad = |buf: &[u8], pos| name_at(buf, pos).unwrap_err().0;
        assert_eq!(bad(&[0xc0, 0x00], 0), "bad compression pointer"); // points at itself
        assert_eq!(bad(&[0x00, 0xc0, 0x03, 0x00], 1), "bad compression pointer"); // forward
        assert_eq!(bad(&[0x01, b'a', 0xc0, 0x00], 2), "bad compression pointer"); // loops
        assert_eq!(bad(&[0x40, 0x00], 0), "unsupported label type");
        assert_eq!(bad(&[0x03, b'a', b'b'], 0), "message truncated");
        assert_eq!(bad(&[0xc0], 0), "message truncated");
        assert_eq!(bad(&[], 0), "message truncated");
        // 128 one-byte labels: 256 bytes with the root, one too many.
        let mut long: Vec<u8> = (0..128).flat_map(|_| [0x01, b'a']).collect();
        long.push(0);
        assert_eq!(bad(&long, 0), "name longer than 255 bytes");
        assert_eq!(name_at(&long[2..], 0).unwrap().0.len(), 255);
    }

    #[test]
    fn pointer_chains_are_bounded() {
        // Each name is one label plus a pointer to the previous one: 200 hops back to the root.
        let mut buf = vec![0x00];
        let mut previous = 0;
        for _ in 0..200 {
            let here = buf.len();
            buf.extend_from_slice(&[0xc0 | (previous >> 8) as u8, previous as u8]);
            previous = here;
        }
        assert_eq!(
            name_at(&buf, previous).unwrap_err().0,
            "bad compression pointer"
        );
        assert_eq!(name_at(&buf, 3).unwrap().0, vec![0]);
    }

    #[test]
    fn numbers() {
        assert_eq!(
            u48_bytes(0x0000_6553_f100),
            [0x00, 0x00, 0x65, 0x53, 0xf1, 0x00]
        );
        assert_eq!(read_u48(&[0xff; 6]), MAX_TIME);
        let mut r = Reader::new(&[0x12, 0x34, 0x56]);
        assert_eq!(r.u16(), Ok(0x1234));
        assert!(r.u16().is_err());
        assert!(Reader::at(&[], 5).take(1).is_err());
        assert!(Reader::at(&[1, 2], 1).take(usize::MAX).is_err());
    }

    #[test]
    fn canonical_name_bytes_from_hickory_names() {
        let name = Name::from_ascii("Host.Example.").unwrap();
        assert_eq!(
            canonical_name_bytes(&name),
            b"\x04host\x07example\x00".to_vec()
        );
        assert_eq!(canonical_name_bytes(&Name::root()), vec![0]);
    }
}
