//! TSIG key files in the formats met in the wild, and format detection for `-k FILE`.
//!
//! - `named.conf` `key` blocks (tsig-keygen, ddns-confgen, named's `session.key`): [`named`].
//! - BIND `K<name>.+<alg>+<id>.private` files and `nsupdate -y [alg:]name:secret`: [`bind`].
//! - Knot `key:` configuration sections and `knsupdate -y`/`-k` one-liners: [`knot`].
//!
//! Every parse error carries the 1-based line number and never any part of a secret: a bad
//! secret is reported as "secret is not valid base64" and nothing more, because error messages
//! end up in terminals, logs and bug reports.

mod bind;
mod knot;
mod load;
mod named;

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hickory_proto::rr::Name;
use zeroize::Zeroizing;

use super::algorithm::Algorithm;
use super::key::{Key, KeyError};

pub use bind::{parse_k_private, parse_nsupdate_y};
pub use knot::{parse_knot_conf, parse_knot_line};
pub use load::load_key_file;
pub use named::parse_named_conf;

/// A key file could not be read or parsed. `Display` prints `FILE:LINE: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KeyFileError {
    /// The file, when the key came from one.
    pub path: Option<PathBuf>,
    /// The 1-based line of the problem, when it is on one line.
    pub line: Option<usize>,
    /// What is wrong; never contains secret material.
    pub message: String,
}

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(path), Some(line)) => write!(f, "{}:{line}: {}", path.display(), self.message),
            (Some(path), None) => write!(f, "{}: {}", path.display(), self.message),
            (None, Some(line)) => write!(f, "line {line}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl KeyFileError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> KeyFileError {
        KeyFileError {
            path: None,
            line: Some(line),
            message: message.into(),
        }
    }

    pub(crate) fn whole(message: impl Into<String>) -> KeyFileError {
        KeyFileError {
            path: None,
            line: None,
            message: message.into(),
        }
    }

    fn in_file(mut self, path: &Path) -> KeyFileError {
        self.path = Some(path.to_path_buf());
        self
    }
}

/// A key read by [`load_key_file`], with warnings for the user (such as loose permissions).
#[derive(Debug, Clone)]
pub struct LoadedKey {
    /// The key.
    pub key: Key,
    /// Problems worth telling the user that did not stop the key from loading.
    pub warnings: Vec<String>,
}

/// BIND and Knot accept padded and unpadded base64; whitespace is stripped before decoding.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decode a base64 secret. The error never quotes the input.
pub(crate) fn decode_secret(text: &str, line: Option<usize>) -> Result<Vec<u8>, KeyFileError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    let error = |message: &str| KeyFileError {
        path: None,
        line,
        message: message.to_string(),
    };
    if compact.is_empty() {
        return Err(error("secret is empty"));
    }
    LENIENT_BASE64
        .decode(compact.as_bytes())
        .map_err(|_| error("secret is not valid base64"))
}

/// Parse a key name; `echo` says whether the text may be repeated in the error (not when it
/// might be a misplaced secret).
pub(crate) fn parse_key_name(
    text: &str,
    line: Option<usize>,
    echo: bool,
) -> Result<Name, KeyFileError> {
    let error = |message: String| KeyFileError {
        path: None,
        line,
        message,
    };
    if text.is_empty() || text == "." {
        return Err(error("key name is empty".to_string()));
    }
    Name::from_ascii(text).map_err(|_| {
        error(if echo {
            format!("invalid key name \"{text}\"")
        } else {
            "invalid key name".to_string()
        })
    })
}

/// Build a key from parsed parts, reporting each problem at the line it comes from.
pub(crate) fn build_key(
    name: Name,
    algorithm: &str,
    algorithm_line: Option<usize>,
    secret: &str,
    secret_line: Option<usize>,
) -> Result<Key, KeyFileError> {
    let at = |line: Option<usize>, message: String| KeyFileError {
        path: None,
        line,
        message,
    };
    let (algorithm, bits) =
        Algorithm::parse(algorithm).map_err(|e| at(algorithm_line, e.to_string()))?;
    let bytes = decode_secret(secret, secret_line)?;
    Key::new(name, algorithm, bytes, bits).map_err(|e| match e {
        KeyError::BadTruncation { .. } => at(algorithm_line, e.to_string()),
        _ => at(secret_line, e.to_string()),
    })
}

/// Key names as listed in errors: without the trailing dot, as users write them.
pub(crate) fn display_name(name: &Name) -> String {
    let text = name.to_ascii();
    text.strip_suffix('.').unwrap_or(&text).to_string()
}
