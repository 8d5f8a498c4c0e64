//! TSIG (RFC 8945): keys, key files, signing and verification. Being written.
