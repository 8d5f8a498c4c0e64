//! Knot `knsupdate` scripts: every line through `script::Session` as the front end reads a file, errors
//! rendered as the front end prints them, and every update the script sends or shows checked by
//! `dnsup_fuzz::check_pending`: `show` renders; the update encodes (or is refused, never cut);
//! the wire form decodes to the same zone, records and data and re-encodes to the same bytes;
//! it signs, and the signed form decodes for the debug print.
#![no_main]

use dnsup::script::Dialect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dnsup_fuzz::run_script(Dialect::Knsupdate, data);
});
