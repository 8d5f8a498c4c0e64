//! The `knsupdate` front end (Knot DNS 3.x): Knot's options, then the shared script runner in
//! Knot's dialect (`origin`, optional TTL, no send on a blank line, stop at the first error
//! with status 1, kdig-style text).

use std::ffi::OsString;
use std::path::PathBuf;

use super::script_runner::{self, Options};
use crate::script::Dialect;
use crate::tsig::{self, Key};

const USAGE: &str = "Usage: knsupdate [-d] [-v] [-k keyfile | -y [hmac:]name:key]\n                 [-p port] [-t timeout] [-r retries] [filename]";

/// knsupdate's options. Its `-t` is the whole exchange's timeout (default 12 s), `-r` the
/// number of retries (default 3); `-v` and `-T` mean TCP.
fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        timeout: Some(12),
        ..Options::default()
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("option '{flag}' requires an argument"))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("invalid number '{v}'"))
        };
        match arg.as_str() {
            "-d" | "--debug" => o.debug = 1,
            "-v" | "-T" | "--tcp" => o.tcp = true,
            "-k" | "--keyfile" => o.key_file = Some(PathBuf::from(value(arg)?)),
            "-y" | "--tsig" => o.key_literal = Some(value(arg)?),
            "-p" | "--port" => {
                o.port = Some(
                    u16::try_from(number(value(arg)?)?).map_err(|_| "invalid port".to_string())?,
                )
            }
            "-t" | "--timeout" => o.timeout = Some(number(value(arg)?)?),
            "-r" | "--retry" => {
                o.udp_retries = Some(number(value(arg)?)?.min(100) as u32);
            }
            "-V" | "--version" => return Err("version".into()),
            "-h" | "--help" => return Err("help".into()),
            "-" => {}
            a if a.starts_with('-') => return Err(format!("invalid option '{a}'")),
            file => o.file = Some(PathBuf::from(file)),
        }
    }
    if o.key_file.is_some() && o.key_literal.is_some() {
        return Err("-k and -y cannot be used together".into());
    }
    Ok(o)
}

fn load_default_key(opts: &Options) -> Result<Option<Key>, String> {
    if let Some(path) = &opts.key_file {
        let loaded = tsig::load_key_file(path, None).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            eprintln!(";; WARNING: {w}");
        }
        return Ok(Some(loaded.key));
    }
    if let Some(spec) = &opts.key_literal {
        return tsig::parse_knot_line(spec)
            .map(Some)
            .map_err(|e| format!("invalid TSIG key: {e}"));
    }
    Ok(None)
}

/// Run the knsupdate front end with these arguments (without argv[0]).
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let opts = match parse_options(&args) {
        Ok(o) => o,
        Err(e) if e == "version" => {
            println!("knsupdate (dnsup {})", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) if e == "help" => {
            println!("{USAGE}");
            return 0;
        }
        Err(e) => {
            eprintln!(";; ERROR: {e}");
            eprintln!("{USAGE}");
            return 1;
        }
    };
    super::init_logging(opts.debug);
    let default_key = match load_default_key(&opts) {
        Ok(k) => k,
        Err(e) => {
            eprintln!(";; ERROR: {e}");
            return 1;
        }
    };
    script_runner::run(Dialect::Knsupdate, &opts, default_key)
}
