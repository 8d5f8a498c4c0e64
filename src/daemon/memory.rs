//! Giving back start-up memory. An idle daemon runs a few functions; the code that parsed the
//! configuration, set up TLS, built the first messages and so on stays mapped after start-up
//! (the kernel maps file pages in 64 KiB runs around each fault). After each pass the daemon
//! asks the kernel to reclaim its executable's read-only pages (MADV_PAGEOUT): they come back
//! from the page cache if they are needed again. This keeps the idle resident set near what the
//! idle loop actually uses, which matters on routers and Raspberry Pis.

/// Reclaim the read-only (code and constant data) mappings of our own executable.
/// Failures are ignored: this is an optimisation, and older kernels lack MADV_PAGEOUT.
#[allow(unsafe_code)]
pub fn release_code_pages() {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
        return;
    };
    for (start, end) in executable_read_only_ranges(&maps, &exe) {
        let Some(addr) = std::ptr::NonNull::new(start as *mut std::ffi::c_void) else {
            continue;
        };
        // SAFETY: the range is a whole mapping of our own executable, read-only and backed by
        // the file (never anonymous or writable memory). MADV_PAGEOUT only drops the pages from
        // this process's resident set; their contents are unchanged and re-read from the file
        // on the next access, so no Rust object's memory is affected.
        let result = unsafe {
            nix::sys::mman::madvise(addr, end - start, nix::sys::mman::MmapAdvise::MADV_PAGEOUT)
        };
        if let Err(e) = result {
            tracing::trace!("madvise(MADV_PAGEOUT): {e}");
            return;
        }
    }
}

/// After a burst of work off the pass (a notification): return freed heap pages to the
/// kernel (`malloc_trim`: glibc keeps freed memory in its arenas otherwise, so dropping an
/// HTTPS client would not lower the resident set), then the code pages, as after a pass.
#[allow(unsafe_code)]
pub fn release_after_burst() {
    // SAFETY: malloc_trim only gives free pages of the allocator's arenas back to the
    // kernel; it touches no live allocation. dnsup uses the system allocator (glibc).
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::malloc_trim(0);
    }
    release_code_pages();
}

/// The `start-end` ranges of /proc/self/maps lines that map `exe` without write permission.
fn executable_read_only_ranges(maps: &str, exe: &std::path::Path) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            let perms = fields.next()?;
            let path = fields.nth(3)?;
            if perms.contains('w') || std::path::Path::new(path) != exe {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            let (a, b) = (
                usize::from_str_radix(a, 16).ok()?,
                usize::from_str_radix(b, 16).ok()?,
            );
            (b > a).then_some((a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_only_mappings_of_the_executable() {
        // 32-bit addresses: the test also runs on armv7 (scripts/cross).
        let maps = "\
55d0a000-55d0b000 r--p 00000000 08:01 123 /usr/bin/dnsup
55d0b000-55d0e000 r-xp 00100000 08:01 123 /usr/bin/dnsup
55d0e000-55d0f000 rw-p 00400000 08:01 123 /usr/bin/dnsup
7f000000-7f010000 r-xp 00000000 08:01 456 /usr/lib/arm-linux-gnueabihf/libc.so.6
7f020000-7f030000 rw-p 00000000 00:00 0
7ffc0000-7ffc2100 rw-p 00000000 00:00 0 [stack]
";
        let got = executable_read_only_ranges(maps, std::path::Path::new("/usr/bin/dnsup"));
        assert_eq!(
            got,
            vec![(0x55d0_a000, 0x55d0_b000), (0x55d0_b000, 0x55d0_e000)]
        );
    }

    #[test]
    fn releasing_our_own_pages_is_harmless() {
        release_code_pages();
        // Code still runs after its pages were given back.
        assert_eq!(
            executable_read_only_ranges("", std::path::Path::new("/x")),
            vec![]
        );
    }
}
