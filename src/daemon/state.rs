//! The state file: what the daemon last confirmed for each RRset, so a restart causes no
//! needless reads or updates. Written atomically (temp file, fsync, rename, fsync of the
//! directory): a crash or a full disk leaves the old file intact, never a torn one. A
//! rewrite keeps the file's mode and owner. One daemon per state file: [`StateLock`].

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::reconcile::Memory;
use super::status::RecordStatus;

/// The file's contents: `"name./TYPE"` -> memory, and the same keys -> status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Format version, for future changes.
    pub version: u32,
    /// One entry per managed RRset.
    pub records: BTreeMap<String, Memory>,
    /// What an operator wants to know per RRset (absent from files written before it existed).
    #[serde(default)]
    pub status: BTreeMap<String, RecordStatus>,
}

/// Why the state could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid state JSON (it is then ignored, and rewritten on the next save).
    #[error("state file {path} is not valid ({reason})")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl State {
    /// Load the state; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, StateError> {
        let text = match crate::bounded::read_text(path, crate::bounded::limit::STATE) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return Ok(State::fresh()),
            Err(e) => {
                return Err(StateError::Corrupt {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// An empty state of the current version.
    pub fn fresh() -> State {
        State {
            version: 1,
            records: BTreeMap::new(),
            status: BTreeMap::new(),
        }
    }

    /// Save atomically: the old file stays until the new one is complete on disk.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        // The new file gets the old one's mode and owner: an operator who made it 0640 for a
        // monitoring group keeps that (owner only when we may, i.e. as root).
        let old = fs::metadata(path).ok();
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            if let Some(old) = &old {
                use std::os::unix::fs::MetadataExt;
                f.set_permissions(old.permissions())?;
                // Only when the owner differs (we are root, the file is someone else's):
                // the hardened unit's system-call filter (~@privileged, which holds @chown)
                // kills a process that calls fchown at all.
                let new = f.metadata()?;
                if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
                    let _ = std::os::unix::fs::fchown(&f, Some(old.uid()), Some(old.gid()));
                }
            }
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            fs::rename(&tmp, path)?;
            // The rename itself must reach the disk before we rely on it.
            fs::File::open(dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io)
    }
}

/// The lock that keeps a second daemon off a state file: `flock` on `STATE.lock`, held for
/// the process's life (the kernel drops it when the process dies, so a crash leaves no stale
/// lock). The holder's PID is written into the file for the message the next one prints.
#[derive(Debug)]
pub struct StateLock {
    _file: fs::File,
}

impl StateLock {
    /// The lock file of a state file.
    pub fn path_for(state: &Path) -> PathBuf {
        let mut p = state.as_os_str().to_owned();
        p.push(".lock");
        PathBuf::from(p)
    }

    /// Take the lock, or say who holds it.
    pub fn acquire(state: &Path) -> Result<StateLock, String> {
        let path = Self::path_for(state);
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("lock file {}: {e}", path.display()))?;
        // Opening a FIFO for reading and writing does not block; reading it would.
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(format!(
                "lock file {} is not a regular file; remove it",
                path.display()
            ));
        }
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                use std::io::Read;
                let mut text = String::new();
                let _ = (&file).take(32).read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!("dnsup (PID {pid})"),
                    Err(_) => "another process".into(),
                };
                return Err(format!(
                    "{holder} already uses the state file {} (it holds {}); one daemon per \
                     state file: stop it, or give this one another --state-file",
                    state.display(),
                    path.display()
                ));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(format!("lock file {}: {e}", path.display()));
            }
        }
        let _ = file.set_len(0);
        let _ = writeln!(file, "{}", std::process::id());
        Ok(StateLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.json");
        let mut state = State::fresh();
        state.records.insert(
            "home.example.test./A".into(),
            Memory {
                published: vec!["192.0.2.1".parse().unwrap()],
                ttl: 60,
                confirmed_at: 1_700_000_000,
            },
        );
        state.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), state);
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn missing_is_empty_and_corrupt_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), State::fresh());
        fs::write(&path, "{ not json").unwrap();
        assert!(matches!(
            State::load(&path),
            Err(StateError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_failed_save_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        State::fresh().save(&path).unwrap();
        let before = fs::read(&path).unwrap();
        // A directory where the temp file should go makes the write fail.
        fs::create_dir(dir.path().join("state.json.tmp")).unwrap();
        let mut changed = State::fresh();
        changed.version = 9;
        assert!(changed.save(&path).is_err());
        assert_eq!(fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_rewrite_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        State::fresh().save(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        State::fresh().save(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn a_state_file_without_status_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(
            &path,
            r#"{"version":1,"records":{"a.example./A":{"published":["192.0.2.1"],"ttl":60,"confirmed_at":5}}}"#,
        )
        .unwrap();
        let s = State::load(&path).unwrap();
        assert_eq!(s.records.len(), 1);
        assert!(s.status.is_empty());
    }

    #[test]
    fn a_second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let held = StateLock::acquire(&path).unwrap();
        let err = StateLock::acquire(&path).unwrap_err();
        assert!(
            err.contains(&format!("PID {}", std::process::id())),
            "{err}"
        );
        drop(held);
        StateLock::acquire(&path).unwrap();
    }
}
