//! TSIG (RFC 8945): keys, key files, signing and verification of DNS messages.
//!
//! Everything here is sans-I/O: the current time is an argument, and key files are parsed from
//! text (only [`load_key_file`] reads the file system). Hickory's own TSIG lacks HMAC-MD5/SHA-1/
//! SHA-224, BIND-style truncation and time checks, so this module implements the protocol itself
//! and uses hickory only for names.
//!
//! - [`algorithm`](Algorithm): the six HMACs BIND and Knot accept (section 6).
//! - [`Key`]: name, algorithm, secret (wiped on drop, never printed) and truncation.
//! - key files: `named.conf` `key` blocks, BIND `K*.private`, `nsupdate -y`, Knot `-y` and
//!   `key:` sections ([`load_key_file`] detects the format).
//! - [`sign_request`] (sections 4.2-4.3) and [`verify_response`] (section 5.3.1); the server
//!   side, [`sign_response`], exists for tests and fake servers.
//!
//! The tests check known answers computed independently (Python `hmac`), and byte-for-byte
//! agreement with captures of nsupdate, dig, knsupdate, kdig, named and knotd (`testdata/`).
//!
//! ```
//! use dnsup::tsig::{Algorithm, Key, DEFAULT_FUDGE, sign_request};
//! use hickory_proto::rr::Name;
//!
//! let key = Key::new(Name::from_ascii("k.example").unwrap(), Algorithm::HmacSha256, vec![7; 32], None).unwrap();
//! let query = [0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
//! let (signed, request_mac) = sign_request(&query, &key, 1_700_000_000, DEFAULT_FUDGE).unwrap();
//! assert_eq!(signed[11], 1); // ARCOUNT now counts the TSIG RR
//! assert_eq!(request_mac.mac().len(), 32);
//! ```

mod algorithm;
pub mod gss;
#[cfg(test)]
mod interop_tests;
mod key;
mod keyfile;
mod sign;
#[cfg(test)]
mod testutil;
pub mod tkey;
mod verify;
mod wire;

pub use algorithm::Algorithm;
pub use key::{Key, KeyError, Secret};
pub use keyfile::{
    KeyFileError, LoadedKey, load_key_file, parse_k_private, parse_knot_conf, parse_knot_line,
    parse_named_conf, parse_nsupdate_y,
};
pub use sign::{DEFAULT_FUDGE, RequestMac, TsigError, TsigRcode, sign_request, sign_response};
pub use verify::{Verified, VerifyError, verify_response};
