//! Every file dnsup reads whole (configuration, key files, secrets, the state file, resolv.conf)
//! is read through [`read_file`]: a regular file, no larger than a limit chosen for what it
//! holds, opened without blocking. A symlink to /dev/zero, a FIFO, a directory or a huge file
//! is a clear error at once, never unbounded memory or a service loop stuck in `open`.

use std::fmt;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Limits, by what a file holds. Generous for real files, small enough for a Pi.
pub mod limit {
    /// The daemon's configuration (TOML).
    pub const CONFIG: u64 = 1 << 20;
    /// A TSIG key file (named.conf, Knot, K*.private) or a secret file.
    pub const KEY: u64 = 64 << 10;
    /// The daemon's state file (a few hundred bytes per record).
    pub const STATE: u64 = 16 << 20;
    /// /etc/resolv.conf.
    pub const RESOLV_CONF: u64 = 64 << 10;
}

/// Why a file was not read.
#[derive(Debug)]
pub enum FileError {
    /// It does not exist.
    NotFound(PathBuf),
    /// It is not a regular file (a directory, a FIFO, a device, a socket).
    NotRegular(PathBuf, &'static str),
    /// It is larger than the limit for its kind.
    TooLarge(PathBuf, u64),
    /// The system refused (permissions, I/O error).
    Io(PathBuf, std::io::Error),
}

impl FileError {
    /// Whether the file is simply absent (some callers treat that as empty).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FileError::NotFound(_))
    }
}

impl FileError {
    /// The file it is about.
    pub fn path(&self) -> &Path {
        match self {
            FileError::NotFound(p)
            | FileError::NotRegular(p, _)
            | FileError::TooLarge(p, _)
            | FileError::Io(p, _) => p,
        }
    }

    /// What is wrong and what to do, without the path (for messages that name it already).
    pub fn reason(&self) -> String {
        match self {
            FileError::NotFound(_) => "no such file".into(),
            FileError::NotRegular(_, kind) => {
                format!("is {kind}, not a regular file; give the path of a file")
            }
            FileError::TooLarge(_, limit) => format!(
                "larger than {}, too large for this kind of file; check the path",
                size(*limit)
            ),
            FileError::Io(_, e) => {
                let text = e.to_string();
                let text = text.split(" (os error").next().unwrap_or_default();
                format!("cannot read: {text}")
            }
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path().display(), self.reason())
    }
}

impl std::error::Error for FileError {}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// What a non-regular file is, in words.
fn kind(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Read a whole regular file of at most `limit` bytes. Symlinks are followed; what they lead
/// to must be a regular file. The open never blocks (O_NONBLOCK, so a FIFO is refused rather
/// than waited on), and the read stops at `limit` even if the file grows meanwhile.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            FileError::NotFound(path.to_path_buf())
        } else {
            FileError::Io(path.to_path_buf(), e)
        }
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(FileError::NotRegular(
            path.to_path_buf(),
            kind(meta.file_type()),
        ));
    }
    if meta.len() > limit {
        return Err(FileError::TooLarge(path.to_path_buf(), limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge(path.to_path_buf(), limit));
    }
    Ok(bytes)
}

/// [`read_file`] as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let bytes = read_file(path, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        FileError::Io(
            path.to_path_buf(),
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_within_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_file(&p, 5).unwrap(), b"hello");
        assert!(matches!(read_file(&p, 4), Err(FileError::TooLarge(_, 4))));
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_file(&zero, 1 << 20).unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        let e = read_file(dir.path(), 1 << 20).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_file(&fifo, 1 << 20).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(
            read_file(&dir.path().join("none"), 1)
                .unwrap_err()
                .is_not_found()
        );
    }
}
