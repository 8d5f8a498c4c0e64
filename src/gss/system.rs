//! [`SecurityContext`] over the system's MIT Kerberos GSS-API library, `libgssapi_krb5.so.2`,
//! loaded with `dlopen` the first time GSS-TSIG is used (never at start-up, so commands without
//! `-g`/`--gss` neither pay for it nor need it installed).
//!
//! Why not link it: the Linux release binary is a static PIE (glibc `crt-static`, see
//! .cargo/config.toml), and Debian ships no static libgssapi_krb5. glibc's static `dlopen`
//! works, but only when the glibc found at run time is the version dnsup was linked with, so
//! [`load`] compares the two before loading and refuses a mismatch with a clear message instead
//! of risking a crash. Why not a pure-Rust Kerberos: none has a correct MIC (see
//! ARCHITECTURE.md, "GSS-TSIG and the system Kerberos library").
//!
//! Only the dozen functions RFC 3645 needs are bound, with the types of MIT's `gssapi.h`
//! (RFC 2744 C bindings; `gss_acquire_cred_from` is MIT's credential-store extension).
//!
//! This is the one module besides `daemon/memory.rs` that contains `unsafe`: every block is a
//! call into the library with pointers to live, correctly typed locals, and every buffer the
//! library returns is copied and then released with `gss_release_buffer`.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int, c_void};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use libloading::Library;

use super::{GssError, GssErrorKind, SecurityContext, Step};

/// The library's soname (Debian package libgssapi-krb5-2).
pub const LIBRARY: &str = "libgssapi_krb5.so.2";
/// The Debian package that provides [`LIBRARY`].
pub const PACKAGE: &str = "libgssapi-krb5-2";

type Om = u32;
type GssName = *mut c_void;
type GssCtx = *mut c_void;
type GssCred = *mut c_void;

#[repr(C)]
struct OidDesc {
    length: Om,
    elements: *const c_void,
}

#[repr(C)]
struct Buffer {
    length: usize,
    value: *mut c_void,
}

#[repr(C)]
struct KeyValue {
    key: *const c_char,
    value: *const c_char,
}

#[repr(C)]
struct KeyValueSet {
    count: Om,
    elements: *const KeyValue,
}

/// `gss_OID_set`, only ever passed as null or received and ignored.
type OidSet = c_void;

const GSS_C_MUTUAL_FLAG: Om = 2;
const GSS_C_REPLAY_FLAG: Om = 4;
const GSS_C_INTEG_FLAG: Om = 32;
const GSS_C_INITIATE: c_int = 1;
const GSS_C_GSS_CODE: c_int = 1;
const GSS_C_MECH_CODE: c_int = 2;
const GSS_S_CONTINUE_NEEDED: Om = 1;

/// 1.2.840.113554.1.2.2.1, GSS_KRB5_NT_PRINCIPAL_NAME: `primary/instance@REALM`.
static NT_KRB5_PRINCIPAL: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01";
/// 1.2.840.113554.1.2.2: the Kerberos 5 mechanism.
static MECH_KRB5: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
/// 1.3.6.1.5.5.2: SPNEGO, what nsupdate uses.
static MECH_SPNEGO: &[u8] = b"\x2b\x06\x01\x05\x05\x02";

fn oid(bytes: &'static [u8]) -> OidDesc {
    OidDesc {
        length: bytes.len() as Om,
        elements: bytes.as_ptr().cast(),
    }
}

/// Which GSS mechanism to negotiate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mechanism {
    /// SPNEGO wrapping Kerberos 5, as nsupdate does.
    #[default]
    Spnego,
    /// Raw Kerberos 5 tokens (BIND and Samba accept both).
    Krb5,
}

type ImportName = unsafe extern "C" fn(*mut Om, *const Buffer, *const OidDesc, *mut GssName) -> Om;
type ReleaseName = unsafe extern "C" fn(*mut Om, *mut GssName) -> Om;
type DisplayName = unsafe extern "C" fn(*mut Om, GssName, *mut Buffer, *mut *const OidDesc) -> Om;
type InitSecContext = unsafe extern "C" fn(
    *mut Om,
    GssCred,
    *mut GssCtx,
    GssName,
    *const OidDesc,
    Om,
    Om,
    *const c_void,
    *const Buffer,
    *mut *const OidDesc,
    *mut Buffer,
    *mut Om,
    *mut Om,
) -> Om;
type GetMic = unsafe extern "C" fn(*mut Om, GssCtx, Om, *const Buffer, *mut Buffer) -> Om;
type VerifyMic = unsafe extern "C" fn(*mut Om, GssCtx, *const Buffer, *const Buffer, *mut Om) -> Om;
type ReleaseBuffer = unsafe extern "C" fn(*mut Om, *mut Buffer) -> Om;
type DeleteSecContext = unsafe extern "C" fn(*mut Om, *mut GssCtx, *mut Buffer) -> Om;
type AcquireCredFrom = unsafe extern "C" fn(
    *mut Om,
    GssName,
    Om,
    *const OidSet,
    c_int,
    *const KeyValueSet,
    *mut GssCred,
    *mut *mut OidSet,
    *mut Om,
) -> Om;
type InquireCred = unsafe extern "C" fn(
    *mut Om,
    GssCred,
    *mut GssName,
    *mut Om,
    *mut c_int,
    *mut *mut OidSet,
) -> Om;
type ReleaseCred = unsafe extern "C" fn(*mut Om, *mut GssCred) -> Om;
type DisplayStatus =
    unsafe extern "C" fn(*mut Om, Om, c_int, *const OidDesc, *mut Om, *mut Buffer) -> Om;

/// The bound functions. The library stays loaded for the life of the process.
struct Api {
    _lib: Library,
    import_name: ImportName,
    release_name: ReleaseName,
    display_name: DisplayName,
    init_sec_context: InitSecContext,
    get_mic: GetMic,
    verify_mic: VerifyMic,
    release_buffer: ReleaseBuffer,
    delete_sec_context: DeleteSecContext,
    acquire_cred_from: AcquireCredFrom,
    inquire_cred: InquireCred,
    release_cred: ReleaseCred,
    display_status: DisplayStatus,
}

static API: OnceLock<Result<Api, GssError>> = OnceLock::new();

fn api() -> Result<&'static Api, GssError> {
    API.get_or_init(open).as_ref().map_err(Clone::clone)
}

fn open() -> Result<Api, GssError> {
    check_glibc()?;
    let missing = |e: libloading::Error| {
        GssError::new(
            GssErrorKind::NoLibrary,
            format!("GSS-TSIG needs the system Kerberos library {LIBRARY}: {e}"),
        )
    };
    // SAFETY: loading runs the library's initialisers; libgssapi_krb5 is a well-behaved system
    // library whose initialisers only set up its error tables. The glibc it depends on is the
    // one dnsup was linked with (check_glibc).
    let lib = unsafe { Library::new(LIBRARY) }.map_err(missing)?;
    macro_rules! sym {
        ($name:literal, $ty:ty) => {{
            // SAFETY: the symbol has this C signature in MIT's gssapi.h (RFC 2744); the
            // pointer is only used while `lib` is loaded, which is for the process lifetime.
            let f: $ty = *unsafe { lib.get::<$ty>($name) }.map_err(missing)?;
            f
        }};
    }
    Ok(Api {
        import_name: sym!(b"gss_import_name\0", ImportName),
        release_name: sym!(b"gss_release_name\0", ReleaseName),
        display_name: sym!(b"gss_display_name\0", DisplayName),
        init_sec_context: sym!(b"gss_init_sec_context\0", InitSecContext),
        get_mic: sym!(b"gss_get_mic\0", GetMic),
        verify_mic: sym!(b"gss_verify_mic\0", VerifyMic),
        release_buffer: sym!(b"gss_release_buffer\0", ReleaseBuffer),
        delete_sec_context: sym!(b"gss_delete_sec_context\0", DeleteSecContext),
        acquire_cred_from: sym!(b"gss_acquire_cred_from\0", AcquireCredFrom),
        inquire_cred: sym!(b"gss_inquire_cred\0", InquireCred),
        release_cred: sym!(b"gss_release_cred\0", ReleaseCred),
        display_status: sym!(b"gss_display_status\0", DisplayStatus),
        _lib: lib,
    })
}

/// glibc's `dlopen` from a static program needs the system's glibc to be the version the
/// program was linked with. Compare the two (the system's from its libc.so.6 "release
/// version" string, read bounded) and refuse a mismatch before loading anything.
fn check_glibc() -> Result<(), GssError> {
    if !cfg!(all(target_env = "gnu", target_feature = "crt-static")) {
        return Ok(());
    }
    // SAFETY: gnu_get_libc_version returns a pointer to a static NUL-terminated string.
    let linked = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) }
        .to_string_lossy()
        .into_owned();
    glibc_guard(&linked, system_glibc_version().as_deref())
}

/// The decision of [`check_glibc`], without the lookups: `linked` is the glibc dnsup was
/// built with, `system` the one found on this system (`None`: no libc.so.6 found or no
/// version in it; then `dlopen` decides, and fails cleanly if there is no glibc at all).
pub(crate) fn glibc_guard(linked: &str, system: Option<&str>) -> Result<(), GssError> {
    match system {
        None => Ok(()),
        Some(system) if system == linked => Ok(()),
        Some(system) => Err(GssError::new(
            GssErrorKind::GlibcMismatch,
            format!(
                "GSS-TSIG is not available: this dnsup is a static build linked with glibc \
                 {linked}, and this system has glibc {system}; loading the system Kerberos \
                 library ({LIBRARY}) needs the same glibc (use a dnsup built on this system's \
                 release, or a build without crt-static)"
            ),
        )),
    }
}

fn system_glibc_version() -> Option<String> {
    let arch_dir = format!("/lib/{}-linux-gnu/libc.so.6", std::env::consts::ARCH);
    let candidates = [
        arch_dir.as_str(),
        "/lib64/libc.so.6",
        "/usr/lib64/libc.so.6",
        "/usr/lib/libc.so.6",
        "/lib/libc.so.6",
    ];
    let path = candidates.iter().map(Path::new).find(|p| p.is_file())?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(32 << 20)
        .read_to_end(&mut bytes)
        .ok()?;
    glibc_release_version(&bytes)
}

/// The `X.Y` of "release version X.Y" in a libc.so.6 image.
pub(crate) fn glibc_release_version(image: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"release version ";
    let at = image.windows(NEEDLE.len()).position(|w| w == NEEDLE)? + NEEDLE.len();
    let version: String = image[at..]
        .iter()
        .take(16)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|b| char::from(*b))
        .collect();
    let version = version.trim_end_matches('.').to_string();
    (!version.is_empty()).then_some(version)
}

/// A buffer the library allocated: copied out, then released.
fn take_buffer(api: &Api, buf: &mut Buffer) -> Vec<u8> {
    let out = if buf.value.is_null() || buf.length == 0 {
        Vec::new()
    } else {
        // SAFETY: the library returned `length` readable bytes at `value`.
        unsafe { std::slice::from_raw_parts(buf.value.cast::<u8>(), buf.length) }.to_vec()
    };
    let mut minor = 0;
    // SAFETY: `buf` came from the library and is released once.
    unsafe { (api.release_buffer)(&mut minor, buf) };
    out
}

fn in_buffer(bytes: &[u8]) -> Buffer {
    Buffer {
        length: bytes.len(),
        value: bytes.as_ptr().cast_mut().cast(),
    }
}

fn empty_buffer() -> Buffer {
    Buffer {
        length: 0,
        value: ptr::null_mut(),
    }
}

/// The library's texts for a major and minor status, and the kind of failure.
fn error(api: &Api, what: &str, major: Om, minor: Om) -> GssError {
    let mut texts = Vec::new();
    for (code, kind) in [(major, GSS_C_GSS_CODE), (minor, GSS_C_MECH_CODE)] {
        if kind == GSS_C_MECH_CODE && code == 0 {
            continue;
        }
        let mut context = 0;
        // Bounded: the library enumerates a few lines per status.
        for _ in 0..8 {
            let mut m = 0;
            let mut buf = empty_buffer();
            // SAFETY: all pointers are to live locals; the output buffer is released below.
            let r = unsafe {
                (api.display_status)(&mut m, code, kind, ptr::null(), &mut context, &mut buf)
            };
            let text = take_buffer(api, &mut buf);
            if r != 0 {
                break;
            }
            let text = String::from_utf8_lossy(&text).trim().to_string();
            if !text.is_empty() && !texts.contains(&text) {
                texts.push(text);
            }
            if context == 0 {
                break;
            }
        }
    }
    let message = format!("{what}: {}", texts.join(": "));
    GssError::new(classify(major, minor, &message), message)
}

/// The base of the Kerberos 5 error table (com_err "KRB5").
const KRB5_BASE: i64 = -1_765_328_384;

/// The kind of a failure: from the Kerberos error code when the minor status is one (raw krb5
/// mechanism), else from the texts of MIT's error tables (SPNEGO maps mechanism minor codes to
/// numbers of its own, so only the text says which Kerberos error it was).
fn classify(major: Om, minor: Om, message: &str) -> GssErrorKind {
    let krb5 = i64::from(minor as i32) - KRB5_BASE;
    let text = |needle: &str| message.contains(needle);
    match krb5 {
        6 => return GssErrorKind::UnknownClient,
        7 => return GssErrorKind::UnknownServer,
        32 => return GssErrorKind::NoCredentials, // ticket expired
        37 => return GssErrorKind::ClockSkew,
        _ => {}
    }
    if text("Clock skew too great") {
        return GssErrorKind::ClockSkew;
    }
    if text("not found in Kerberos database") {
        return if text("Client ") {
            GssErrorKind::UnknownClient
        } else {
            GssErrorKind::UnknownServer
        };
    }
    match (major >> 16) & 0xff {
        6 => GssErrorKind::BadMic,
        7 | 10 | 11 => GssErrorKind::NoCredentials,
        12 => GssErrorKind::ContextExpired,
        _ if text("credentials cache")
            || text("No Kerberos credentials")
            || text("Ticket expired")
            || text("eytab") =>
        {
            GssErrorKind::NoCredentials
        }
        _ => GssErrorKind::Other,
    }
}

/// Import `text` as a Kerberos principal name.
fn import_principal(api: &Api, text: &str) -> Result<GssName, GssError> {
    let nt = oid(NT_KRB5_PRINCIPAL);
    let buf = in_buffer(text.as_bytes());
    let (mut minor, mut name) = (0, ptr::null_mut());
    // SAFETY: pointers to live locals; `name` is released by the caller's guard.
    let major = unsafe { (api.import_name)(&mut minor, &buf, &nt, &mut name) };
    if major != 0 {
        return Err(error(
            api,
            &format!("bad principal name '{text}'"),
            major,
            minor,
        ));
    }
    Ok(name)
}

/// Acquire initiator credentials (see [`Credentials::acquire`]); returns the handle and the
/// principal's name.
fn ffi_acquire(
    api: &Api,
    principal: Option<&str>,
    keytab: Option<&Path>,
) -> Result<(GssCred, String), GssError> {
    let desired = match principal {
        Some(p) => import_principal(api, p)?,
        None => ptr::null_mut(),
    };
    let nul = |s: String| {
        CString::new(s)
            .map_err(|_| GssError::new(GssErrorKind::NoCredentials, "a path contains a NUL byte"))
    };
    let keytab_value = keytab.map(|k| nul(k.display().to_string())).transpose()?;
    let ccache_value = nul(format!("MEMORY:dnsup-{}", std::process::id()))?;
    let mut elements = Vec::new();
    if let Some(k) = &keytab_value {
        elements.push(KeyValue {
            key: c"client_keytab".as_ptr(),
            value: k.as_ptr(),
        });
        elements.push(KeyValue {
            key: c"ccache".as_ptr(),
            value: ccache_value.as_ptr(),
        });
    }
    let store = KeyValueSet {
        count: elements.len() as Om,
        elements: elements.as_ptr(),
    };
    let (mut minor, mut cred) = (0, ptr::null_mut());
    // SAFETY: pointers to live locals (the strings outlive the call); outputs we do not want
    // are null, as RFC 2744 allows.
    let major = unsafe {
        (api.acquire_cred_from)(
            &mut minor,
            desired,
            0,
            ptr::null(),
            GSS_C_INITIATE,
            if elements.is_empty() {
                ptr::null()
            } else {
                &store
            },
            &mut cred,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if !desired.is_null() {
        let (mut m, mut d) = (0, desired);
        // SAFETY: `d` was imported above and is released once.
        unsafe { (api.release_name)(&mut m, &mut d) };
    }
    if major != 0 {
        return Err(error(api, "cannot get Kerberos credentials", major, minor));
    }
    match ffi_principal(api, cred) {
        Ok(name) => Ok((cred, name)),
        Err(e) => {
            ffi_release_cred(api, cred);
            Err(e)
        }
    }
}

fn ffi_principal(api: &Api, cred: GssCred) -> Result<String, GssError> {
    let (mut minor, mut name) = (0, ptr::null_mut());
    // SAFETY: pointers to live locals; outputs we do not want are null.
    let major = unsafe {
        (api.inquire_cred)(
            &mut minor,
            cred,
            &mut name,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if major != 0 {
        return Err(error(api, "cannot get Kerberos credentials", major, minor));
    }
    let mut buf = empty_buffer();
    let mut m = 0;
    // SAFETY: `name` came from inquire_cred; the buffer is released by take_buffer.
    let major = unsafe { (api.display_name)(&mut m, name, &mut buf, ptr::null_mut()) };
    let text = take_buffer(api, &mut buf);
    let mut m2 = 0;
    // SAFETY: released once.
    unsafe { (api.release_name)(&mut m2, &mut name) };
    if major != 0 {
        return Err(error(api, "cannot name the credentials", major, m));
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

fn ffi_release_cred(api: &Api, mut cred: GssCred) {
    let mut m = 0;
    // SAFETY: the handle came from acquire_cred_from and is released once.
    unsafe { (api.release_cred)(&mut m, &mut cred) };
}

/// The library-side state of one context (lives on the GSS thread only).
struct RawContext {
    cred: GssCred,
    target: GssName,
    target_text: String,
    ctx: GssCtx,
    mech: Mechanism,
}

impl RawContext {
    fn step(&mut self, api: &Api, input: Option<&[u8]>) -> Result<Step, GssError> {
        let mech = oid(match self.mech {
            Mechanism::Spnego => MECH_SPNEGO,
            Mechanism::Krb5 => MECH_KRB5,
        });
        let input_buf = input.map(in_buffer);
        let mut out = empty_buffer();
        let mut minor = 0;
        // SAFETY: pointers to live locals and handles we own; `out` is released by
        // take_buffer; `ctx` is created on the first call and updated in place.
        let major = unsafe {
            (api.init_sec_context)(
                &mut minor,
                self.cred,
                &mut self.ctx,
                self.target,
                &mech,
                GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_INTEG_FLAG,
                0,
                ptr::null(),
                input_buf
                    .as_ref()
                    .map_or(ptr::null(), |b| b as *const Buffer),
                ptr::null_mut(),
                &mut out,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        let token = take_buffer(api, &mut out);
        match major {
            0 => Ok(Step::Done((!token.is_empty()).then_some(token))),
            GSS_S_CONTINUE_NEEDED => Ok(Step::Continue(token)),
            _ => Err(error(
                api,
                &format!(
                    "GSS-API cannot start a security context with {}",
                    self.target_text
                ),
                major,
                minor,
            )),
        }
    }

    fn get_mic(&mut self, api: &Api, message: &[u8]) -> Result<Vec<u8>, GssError> {
        let msg = in_buffer(message);
        let mut out = empty_buffer();
        let mut minor = 0;
        // SAFETY: pointers to live locals and our context; `out` is released by take_buffer.
        let major = unsafe { (api.get_mic)(&mut minor, self.ctx, 0, &msg, &mut out) };
        let mic = take_buffer(api, &mut out);
        if major != 0 {
            return Err(error(api, "GSS-API get_mic", major, minor));
        }
        Ok(mic)
    }

    fn verify_mic(&mut self, api: &Api, message: &[u8], mic: &[u8]) -> Result<(), GssError> {
        let (msg, tok) = (in_buffer(message), in_buffer(mic));
        let (mut minor, mut qop) = (0, 0);
        // SAFETY: pointers to live locals and our context; nothing is returned to release.
        let major = unsafe { (api.verify_mic)(&mut minor, self.ctx, &msg, &tok, &mut qop) };
        if major & 0xffff_0000 != 0 {
            return Err(error(api, "GSS-API verify_mic", major, minor));
        }
        Ok(())
    }

    fn release(mut self, api: &Api) {
        let mut m = 0;
        if !self.ctx.is_null() {
            // SAFETY: our context, deleted once; no output token wanted.
            unsafe { (api.delete_sec_context)(&mut m, &mut self.ctx, ptr::null_mut()) };
        }
        // SAFETY: our imported name, released once.
        unsafe { (api.release_name)(&mut m, &mut self.target) };
    }
}

/// What the rest of dnsup asks of the GSS thread. Library handles never leave that thread:
/// callers hold numbers.
enum Request {
    Acquire {
        principal: Option<String>,
        keytab: Option<PathBuf>,
        reply: mpsc::Sender<Result<(u64, String), GssError>>,
    },
    Context {
        creds: u64,
        target: String,
        mech: Mechanism,
        reply: mpsc::Sender<Result<u64, GssError>>,
    },
    Step {
        ctx: u64,
        input: Option<Vec<u8>>,
        reply: mpsc::Sender<Result<Step, GssError>>,
    },
    GetMic {
        ctx: u64,
        message: Vec<u8>,
        reply: mpsc::Sender<Result<Vec<u8>, GssError>>,
    },
    VerifyMic {
        ctx: u64,
        message: Vec<u8>,
        mic: Vec<u8>,
        reply: mpsc::Sender<Result<(), GssError>>,
    },
    // Releases are answered: the caller waits, so no library call is still running when the
    // process exits and the library's destructors run (krb5 destroys its mutexes then; a
    // release racing with that aborted in k5_mutex_lock, seen under qemu-user).
    ReleaseCreds(u64, mpsc::Sender<Result<(), GssError>>),
    ReleaseContext(u64, mpsc::Sender<Result<(), GssError>>),
}

/// The one thread that loads the library and makes every call into it.
///
/// glibc's `dlopen` from a static program brings in a second copy of libc.so.6 whose per-thread
/// state (the `ctype` tables behind `isspace`, among others) is set up only for the thread that
/// loaded it: a call from another thread crashed in krb5's profile parser (seen here with
/// Debian 12's glibc 2.36). So all calls happen on this thread; it also keeps the blocking
/// KDC exchanges inside `gss_init_sec_context` off the async runtime.
static THREAD: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();

fn ask<T>(make: impl FnOnce(mpsc::Sender<Result<T, GssError>>) -> Request) -> Result<T, GssError> {
    let gone = || GssError::new(GssErrorKind::Other, "the GSS-API thread is not running");
    let (reply, answer) = mpsc::channel();
    send(make(reply)).map_err(|_| gone())?;
    answer.recv().map_err(|_| gone())?
}

fn send(request: Request) -> Result<(), ()> {
    let sender = THREAD.get_or_init(|| {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("dnsup-gss".into())
            .spawn(move || serve(&rx));
        if let Err(e) = spawned {
            tracing::warn!("cannot start the GSS-API thread: {e}");
        }
        Mutex::new(tx)
    });
    let sender = sender
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    sender.send(request).map_err(|_| ())
}

fn serve(requests: &mpsc::Receiver<Request>) {
    let mut creds: HashMap<u64, GssCred> = HashMap::new();
    let mut contexts: HashMap<u64, RawContext> = HashMap::new();
    let mut next_id = 1u64;
    let unknown = || GssError::new(GssErrorKind::Other, "unknown GSS-API handle");
    for request in requests {
        // Replies go to callers that may have given up: ignore send errors.
        match request {
            Request::Acquire {
                principal,
                keytab,
                reply,
            } => {
                let result = api()
                    .and_then(|api| ffi_acquire(api, principal.as_deref(), keytab.as_deref()))
                    .map(|(cred, name)| {
                        let id = next_id;
                        next_id += 1;
                        creds.insert(id, cred);
                        (id, name)
                    });
                let _ = reply.send(result);
            }
            Request::Context {
                creds: creds_id,
                target,
                mech,
                reply,
            } => {
                let result = (|| {
                    let api = api()?;
                    let cred = *creds.get(&creds_id).ok_or_else(unknown)?;
                    let name = import_principal(api, &target)?;
                    let id = next_id;
                    next_id += 1;
                    contexts.insert(
                        id,
                        RawContext {
                            cred,
                            target: name,
                            target_text: target,
                            ctx: ptr::null_mut(),
                            mech,
                        },
                    );
                    Ok(id)
                })();
                let _ = reply.send(result);
            }
            Request::Step { ctx, input, reply } => {
                let result = match (api(), contexts.get_mut(&ctx)) {
                    (Ok(api), Some(c)) => c.step(api, input.as_deref()),
                    (Err(e), _) => Err(e),
                    (_, None) => Err(unknown()),
                };
                let _ = reply.send(result);
            }
            Request::GetMic {
                ctx,
                message,
                reply,
            } => {
                let result = match (api(), contexts.get_mut(&ctx)) {
                    (Ok(api), Some(c)) => c.get_mic(api, &message),
                    (Err(e), _) => Err(e),
                    (_, None) => Err(unknown()),
                };
                let _ = reply.send(result);
            }
            Request::VerifyMic {
                ctx,
                message,
                mic,
                reply,
            } => {
                let result = match (api(), contexts.get_mut(&ctx)) {
                    (Ok(api), Some(c)) => c.verify_mic(api, &message, &mic),
                    (Err(e), _) => Err(e),
                    (_, None) => Err(unknown()),
                };
                let _ = reply.send(result);
            }
            Request::ReleaseCreds(id, reply) => {
                if let (Ok(api), Some(cred)) = (api(), creds.remove(&id)) {
                    ffi_release_cred(api, cred);
                }
                let _ = reply.send(Ok(()));
            }
            Request::ReleaseContext(id, reply) => {
                if let (Ok(api), Some(c)) = (api(), contexts.remove(&id)) {
                    c.release(api);
                }
                let _ = reply.send(Ok(()));
            }
        }
    }
}

/// Credentials to initiate contexts with: the ticket cache, or a keytab.
pub struct Credentials {
    id: u64,
    principal: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Acquire initiator credentials: for `principal` (the cache's, or the keytab's first, if
    /// `None`), from `keytab` if given (its tickets kept in a private in-memory cache), else
    /// from the default ticket cache (`KRB5CCNAME`). Blocks while the library reads files.
    pub fn acquire(principal: Option<&str>, keytab: Option<&Path>) -> Result<Self, GssError> {
        let (principal, keytab) = (principal.map(str::to_string), keytab.map(Path::to_path_buf));
        let (id, principal) = ask(|reply| Request::Acquire {
            principal,
            keytab,
            reply,
        })?;
        Ok(Credentials { id, principal })
    }

    /// The client principal, `name@REALM`.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The realm of the client principal.
    pub fn realm(&self) -> Option<&str> {
        self.principal.rsplit_once('@').map(|(_, r)| r)
    }

    /// Start a context with the service principal `target` (`DNS/ns.example@REALM`). The
    /// context keeps the credentials alive.
    pub fn context(
        self: &Arc<Self>,
        target: &str,
        mech: Mechanism,
    ) -> Result<SystemContext, GssError> {
        let target = target.to_string();
        let id = ask(|reply| Request::Context {
            creds: self.id,
            target,
            mech,
            reply,
        })?;
        Ok(SystemContext {
            id,
            _creds: Arc::clone(self),
        })
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        let _ = ask(|reply| Request::ReleaseCreds(self.id, reply));
    }
}

/// A security context over the system library (a handle to it on the GSS thread).
pub struct SystemContext {
    id: u64,
    // Released after the context (fields drop after Drop::drop runs).
    _creds: Arc<Credentials>,
}

impl SecurityContext for SystemContext {
    fn step(&mut self, input: Option<&[u8]>) -> Result<Step, GssError> {
        let input = input.map(<[u8]>::to_vec);
        ask(|reply| Request::Step {
            ctx: self.id,
            input,
            reply,
        })
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, GssError> {
        let message = message.to_vec();
        ask(|reply| Request::GetMic {
            ctx: self.id,
            message,
            reply,
        })
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), GssError> {
        let (message, mic) = (message.to_vec(), mic.to_vec());
        ask(|reply| Request::VerifyMic {
            ctx: self.id,
            message,
            mic,
            reply,
        })
    }
}

impl Drop for SystemContext {
    fn drop(&mut self) {
        let _ = ask(|reply| Request::ReleaseContext(self.id, reply));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_version_string() {
        let image =
            b"\0\0GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n";
        assert_eq!(glibc_release_version(image).as_deref(), Some("2.36"));
        assert_eq!(glibc_release_version(b"nothing here"), None);
        assert_eq!(glibc_release_version(b"release version "), None);
    }

    #[test]
    fn the_glibc_guard_refuses_another_system_glibc() {
        assert_eq!(glibc_guard("2.36", Some("2.36")), Ok(()));
        // No libc.so.6 (or no version in it): dlopen decides.
        assert_eq!(glibc_guard("2.36", None), Ok(()));
        for system in ["2.41", "2.35", "2.36.1", ""] {
            let e = glibc_guard("2.36", Some(system)).unwrap_err();
            assert_eq!(e.kind, GssErrorKind::GlibcMismatch, "{system}");
            assert_eq!(
                e.to_string(),
                format!(
                    "GSS-TSIG is not available: this dnsup is a static build linked with glibc \
                     2.36, and this system has glibc {system}; loading the system Kerberos \
                     library (libgssapi_krb5.so.2) needs the same glibc (use a dnsup built on \
                     this system's release, or a build without crt-static)"
                )
            );
            // Not the "install the library" hint: the library may well be installed.
            assert_eq!(e.hint(), None);
        }
    }

    #[test]
    fn error_kinds() {
        let minor = |n: i64| (KRB5_BASE + n) as i32 as u32;
        assert_eq!(classify(13 << 16, minor(37), ""), GssErrorKind::ClockSkew);
        assert_eq!(
            classify(13 << 16, minor(7), ""),
            GssErrorKind::UnknownServer
        );
        assert_eq!(classify(7 << 16, 0, ""), GssErrorKind::NoCredentials);
        assert_eq!(classify(6 << 16, 0, ""), GssErrorKind::BadMic);
        assert_eq!(classify(13 << 16, 5, "x"), GssErrorKind::Other);
        // SPNEGO: only the text names the Kerberos error.
        let spnego = "Unspecified GSS failure: Server krbtgt/OTHER.TEST@EXAMPLE.TEST not found in Kerberos database";
        assert_eq!(
            classify(13 << 16, 100_005, spnego),
            GssErrorKind::UnknownServer
        );
        assert_eq!(
            classify(
                13 << 16,
                100_005,
                "Client 'x@EXAMPLE.TEST' not found in Kerberos database"
            ),
            GssErrorKind::UnknownClient
        );
        assert_eq!(
            classify(13 << 16, 100_005, "Clock skew too great"),
            GssErrorKind::ClockSkew
        );
    }

    #[test]
    fn this_system_has_the_linked_glibc() {
        // The test machine builds and runs with the same glibc, so the guard lets it through.
        check_glibc().unwrap();
    }
}
