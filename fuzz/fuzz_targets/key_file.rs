//! TSIG key files and key strings: `named.conf` key blocks (`tsig-keygen`, `ddns-confgen`,
//! `rndc-confgen`), BIND `K*.private` files, Knot `key:` sections and `[alg:]name:secret`
//! lines (`knsupdate -y`, `DNSUP_KEY`, `key_env`), `nsupdate -y`, and `load_key_file`'s
//! detection of the format.
//!
//! Oracles: every key any parser returns is usable (it signs a request) and survives a round
//! trip through `Key::to_named_conf` (what `dnsup keygen` writes) and `parse_named_conf`: the
//! same name, algorithm, truncation and secret. A loaded file never yields a key its content
//! parser would not.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use dnsup::tsig::{
    self, Key, load_key_file, parse_k_private, parse_knot_conf, parse_knot_line, parse_named_conf,
    parse_nsupdate_y,
};
use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;

/// The round trip and a signature.
fn check(key: &Key, from: &str) {
    let text = key.to_named_conf();
    let again = parse_named_conf(&text).unwrap_or_else(|e| {
        panic!("a key from {from} does not read back from its named.conf form: {e}\n{text}")
    });
    assert_eq!(
        again.len(),
        1,
        "{from}: named.conf round trip gave {} keys",
        again.len()
    );
    assert_eq!(again[0].name(), key.name(), "{from}: key name changed");
    assert_eq!(
        again[0].to_named_conf(),
        text,
        "{from}: key changed in the round trip"
    );
    let query = [0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    tsig::sign_request(&query, key, 1_700_000_000, tsig::DEFAULT_FUDGE)
        .unwrap_or_else(|e| panic!("a key from {from} cannot sign: {e}"));
}

/// A private directory for the files `load_key_file` reads.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dnsup-fuzz-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    // Key files are read as UTF-8 (anything else is refused before parsing).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = Name::from_ascii("fuzz-key.example.").expect("a valid name");
    let mut keys = Vec::new();
    if let Ok(found) = parse_named_conf(text) {
        keys.extend(found.into_iter().map(|k| (k, "parse_named_conf")));
    }
    if let Ok(found) = parse_knot_conf(text) {
        keys.extend(found.into_iter().map(|k| (k, "parse_knot_conf")));
    }
    if let Ok(k) = parse_k_private(text, name) {
        keys.push((k, "parse_k_private"));
    }
    // The one-line forms: the whole input, and each line (a one-line key file may have
    // comments around its line).
    for line in std::iter::once(text).chain(text.lines()) {
        if let Ok(k) = parse_knot_line(line) {
            keys.push((k, "parse_knot_line"));
        }
        if let Ok(k) = parse_nsupdate_y(line) {
            keys.push((k, "parse_nsupdate_y"));
        }
        let _ = dnsup::script::check_hmac(line);
    }
    for (key, from) in &keys {
        check(key, from);
    }

    // load_key_file: content detection (and key selection), and the K-file naming path.
    for (file, select) in [
        ("key.conf", None),
        ("key.conf", Some("fuzz-key.example")),
        ("Kfuzz-key.example.+163+01234.private", None),
    ] {
        let path = dir().join(file);
        if std::fs::write(&path, data).is_err() {
            return;
        }
        if let Ok(loaded) = load_key_file(&path, select) {
            let conf = loaded.key.to_named_conf();
            assert!(
                keys.iter().any(|(k, _)| k.to_named_conf() == conf)
                    || file.starts_with('K')
                    || parse_k_private(text, loaded.key.name().clone()).is_ok(),
                "load_key_file returned a key no parser returns"
            );
            check(&loaded.key, "load_key_file");
        }
    }
});
