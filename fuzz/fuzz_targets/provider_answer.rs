//! Every hosted API's answer handling (zone and record listings, error bodies, write answers,
//! dyndns2/DuckDNS/Namecheap codes, Route 53 XML, deSEC `Link` cursors, `Retry-After`, the
//! value formats): see `dnsup::provider::fuzz` for the input layout. Seeds:
//! `dnsup::provider::fuzz::seeds()`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dnsup::provider::fuzz::answer(data);
});
