//! Fixed TSIG keys shared by the test servers and the clients under test.
//!
//! The secrets were generated once with `tsig-keygen -a <algorithm>`; they are test fixtures, not
//! secrets. Every server started by the harness declares all of them (Knot: all but the truncated one).

use std::fs;
use std::path::{Path, PathBuf};

/// One TSIG key known to the test servers.
#[derive(Debug, PartialEq, Eq)]
pub struct TestKey {
    /// Key name, as declared in the server configuration (`k-sha256`, ...).
    pub name: &'static str,
    /// Algorithm as written in named.conf / for `nsupdate -y`: `hmac-sha256`, or with a truncation
    /// suffix in bits (`hmac-sha256-128`). The wire name never has the suffix.
    pub algorithm: &'static str,
    /// Base64 secret, of the algorithm's output size.
    pub secret: &'static str,
}

impl TestKey {
    /// The algorithm without the truncation suffix: the name that goes on the wire.
    pub fn base_algorithm(&self) -> &'static str {
        match self.split_truncation() {
            Some((base, _)) => base,
            None => self.algorithm,
        }
    }

    /// `Some(bits)` for a BIND-style truncated algorithm such as `hmac-sha256-128`.
    pub fn truncation_bits(&self) -> Option<u16> {
        self.split_truncation().map(|(_, bits)| bits)
    }

    fn split_truncation(&self) -> Option<(&'static str, u16)> {
        // "hmac-sha256-128" -> ("hmac-sha256", 128); "hmac-sha256" -> ("hmac", "sha256"): not a number.
        let (base, bits) = self.algorithm.rsplit_once('-')?;
        Some((base, bits.parse().ok()?))
    }

    /// Knot DNS does not implement truncated MACs.
    pub fn knot_supports(&self) -> bool {
        self.truncation_bits().is_none()
    }

    /// The key as `tsig-keygen` prints it (named.conf syntax; what `nsupdate -k` reads).
    pub fn named_conf(&self) -> String {
        format!(
            "key \"{}\" {{\n\talgorithm {};\n\tsecret \"{}\";\n}};\n",
            self.name, self.algorithm, self.secret
        )
    }
}

static KEYS: [TestKey; 7] = [
    TestKey {
        name: "k-md5",
        algorithm: "hmac-md5",
        secret: "bzb/Qgxbemxp2a650akAWw==",
    },
    TestKey {
        name: "k-sha1",
        algorithm: "hmac-sha1",
        secret: "OE+ptNptvCCdZiVD2/IRWYVkkKM=",
    },
    TestKey {
        name: "k-sha224",
        algorithm: "hmac-sha224",
        secret: "VURzK1RHsw0rzCK3X5x2pQ/eY1Xb8nI1NNDWpQ==",
    },
    TestKey {
        name: "k-sha256",
        algorithm: "hmac-sha256",
        secret: "Cx54BblfuCmURoPzf+19Bzfb2YLvOr/Zf0BEWXf7V0w=",
    },
    TestKey {
        name: "k-sha384",
        algorithm: "hmac-sha384",
        secret: "0Ni8ZY/2J/z5kWWvgsPxVWFzFPYKrsOW6E3NXxPnXaDI4M0bk1zsFp9bYOFmjSic",
    },
    TestKey {
        name: "k-sha512",
        algorithm: "hmac-sha512",
        secret: "ZyPl9lhXfE7jTwV2tw1/LaEuyUl+qQ7QWe1lLi+hb1vLn90Ft+Nf+guOImsHx4deiI7bS9hzCYce1HlIzdBs/w==",
    },
    TestKey {
        name: "k-sha256-trunc",
        algorithm: "hmac-sha256-128",
        secret: "W5isHJdRAbuCeTU/IRORqoXZzpDE8YQHfdfaVutkpgk=",
    },
];

/// All test keys: one per HMAC algorithm, plus `k-sha256-trunc` (`hmac-sha256-128`, BIND only).
pub fn keys() -> &'static [TestKey] {
    &KEYS
}

/// The test key with this name; panics if there is none.
pub fn key(name: &str) -> &'static TestKey {
    keys()
        .iter()
        .find(|k| k.name == name)
        .unwrap_or_else(|| panic!("no test key named {name:?}"))
}

/// `-y` argument for nsupdate / knsupdate: `hmac-sha256:k-sha256:SECRET`
/// (`hmac-sha256-128:k-sha256-trunc:SECRET` for the truncated key, as nsupdate accepts it).
pub fn key_arg(k: &TestKey) -> String {
    format!("{}:{}:{}", k.algorithm, k.name, k.secret)
}

/// Writes the key in tsig-keygen format to `dir/<name>.key` (for `nsupdate -k`) and returns the path.
pub fn write_key_file(dir: &Path, k: &TestKey) -> PathBuf {
    let path = dir.join(format!("{}.key", k.name));
    fs::write(&path, k.named_conf()).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// Writes the key as one `alg:name:secret` line (the format `knsupdate -k` reads) to
/// `dir/<name>.knot-key` and returns the path.
pub fn write_knot_key_file(dir: &Path, k: &TestKey) -> PathBuf {
    let path = dir.join(format!("{}.knot-key", k.name));
    fs::write(&path, format!("{}\n", key_arg(k)))
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}
