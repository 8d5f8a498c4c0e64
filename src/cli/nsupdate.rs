//! The `nsupdate` front end: nsupdate's options, its command language (src/script/), its
//! output lines and its exit codes (0 all sent updates succeeded, 1 input or setup error,
//! 2 an update failed after it was sent).

use std::ffi::OsString;
use std::path::PathBuf;

use super::script_runner::{self, Options};
use crate::script::Dialect;
use crate::tsig::{self, Key};

const USAGE: &str = "usage: nsupdate [-CdDi] [-L level] [-l] [-g | -o | -y keyname:secret | -k keyfile] [-p port] [-v] [-V] [-P] [-T] [-4 | -6] [filename]";

/// getopt-style parsing: flags may be grouped (`-dv`), values attached (`-t5`) or separate.
fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "-" || !arg.starts_with('-') || arg == "--" {
            if arg == "--" {
                if let Some(f) = args.get(i) {
                    o.file = Some(PathBuf::from(f));
                }
            } else if arg != "-" {
                o.file = Some(PathBuf::from(arg));
            }
            continue;
        }
        for (pos, flag) in arg[1..].char_indices() {
            let takes_value = matches!(flag, 'k' | 'y' | 't' | 'u' | 'r' | 'p' | 'L' | 'C');
            let value = if takes_value {
                let rest = &arg[1 + pos + flag.len_utf8()..];
                let v = if rest.is_empty() {
                    let v = args
                        .get(i)
                        .ok_or_else(|| format!("option requires an argument -- {flag}"))?;
                    i += 1;
                    v.clone()
                } else {
                    rest.to_string()
                };
                Some(v)
            } else {
                None
            };
            let num = |v: &Option<String>| -> Result<u64, String> {
                v.as_deref()
                    .unwrap_or_default()
                    .parse::<u64>()
                    .map_err(|_| format!("bad value for -{flag}: use a number"))
            };
            match flag {
                'k' => o.key_file = value.clone().map(PathBuf::from),
                'y' => o.key_literal = value.clone(),
                'v' => o.tcp = true,
                't' => o.timeout = Some(num(&value)?),
                'u' => o.udp_interval = Some(num(&value)?),
                'r' => o.udp_retries = Some(num(&value)?.min(u64::from(u32::MAX)) as u32),
                'p' => {
                    o.port = Some(
                        u16::try_from(num(&value)?).map_err(|_| "bad port number".to_string())?,
                    )
                }
                'd' => o.debug = o.debug.max(1),
                'D' => o.debug = 2,
                'i' => o.interactive = true,
                'C' => o.resolv_conf = value.clone().map(PathBuf::from),
                'L' => {}
                '4' => o.only_v4 = true,
                '6' => o.only_v6 = true,
                'V' => return Err("version".into()),
                'g' | 'o' => return Err("GSS-TSIG (-g/-o) is not supported yet".into()),
                'l' => return Err("local mode (-l) is not supported yet".into()),
                'P' | 'T' => return Err("listing types (-P/-T) is not supported yet".into()),
                other => return Err(format!("invalid argument -{other}")),
            }
            if takes_value {
                break;
            }
        }
    }
    if o.only_v4 && o.only_v6 {
        return Err("only one of -4 and -6 allowed".into());
    }
    if o.key_file.is_some() && o.key_literal.is_some() {
        return Err("-k and -y cannot be used together".into());
    }
    Ok(o)
}

/// Run the nsupdate front end with these arguments (without argv[0]).
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let opts = match parse_options(&args) {
        Ok(o) => o,
        Err(e) if e == "version" => {
            eprintln!("nsupdate (dnsup {})", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        Err(e) => {
            eprintln!("nsupdate: {e}");
            eprintln!("{USAGE}");
            return 1;
        }
    };
    super::init_logging(opts.debug);
    let default_key = match load_default_key(&opts) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    script_runner::run(Dialect::Nsupdate, &opts, default_key)
}

fn load_default_key(opts: &Options) -> Result<Option<Key>, String> {
    if let Some(path) = &opts.key_file {
        let loaded = tsig::load_key_file(path, None).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            eprintln!("warning: {w}");
        }
        return Ok(Some(loaded.key));
    }
    if let Some(spec) = &opts.key_literal {
        return tsig::parse_nsupdate_y(spec)
            .map(Some)
            .map_err(|e| format!("could not create key from {}: {e}", redact_y(spec)));
    }
    Ok(None)
}

/// `-y alg:name:secret` shown without the secret.
fn redact_y(spec: &str) -> String {
    match spec.rsplit_once(':') {
        Some((head, _)) => format!("{head}:<secret>"),
        None => "<secret>".into(),
    }
}
