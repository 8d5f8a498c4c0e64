#![allow(dead_code)]
//! What the per-provider test files share: a provider's configuration built from TOML with its
//! secrets in 0600 files, and the standard trio every hosted API runs (the behaviour suite,
//! rate limits, bad credentials), each ending with the fake's check that no request broke the
//! documentation.

use std::fmt::Debug;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use dnsup::provider::{DynProvider, Rrset, RrsetKey};
use hickory_proto::rr::Name;

use super::fake::{Fake, FakeRequest, FakeResponse};
use super::store::Store;
use super::suite::{
    Subject, bad_credentials_are_an_auth_error, behaviour_suite, rate_limits_are_honoured,
};

/// Secret files (mode 0600, as dnsup requires) in a temporary directory, removed on drop.
pub struct Secrets(tempfile::TempDir);

impl Secrets {
    pub fn new() -> Secrets {
        Secrets(tempfile::tempdir().unwrap())
    }

    /// Write `value` to the file `name`; its path, quoted for TOML.
    pub fn path(&self, name: &str, value: &str) -> String {
        let path = self.0.path().join(name);
        std::fs::write(&path, value).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        format!("{:?}", path.display().to_string())
    }

    /// `{ file = "PATH" }`: a secret reference to a new file holding `value`.
    pub fn file(&self, name: &str, value: &str) -> String {
        format!("{{ file = {} }}", self.path(name, value))
    }
}

/// The `[http]` table that reaches `fake` at `path` (its CA trusted, no spacing).
pub fn http_table(fake: &Fake, path: &str) -> String {
    let settings = fake.settings(path);
    format!(
        "[http]\nendpoint = {:?}\nca_file = {:?}\nmin_spacing = \"0s\"\n",
        settings.endpoint.unwrap(),
        settings.ca_file.unwrap()
    )
}

/// A configuration from TOML.
pub fn config<C: serde::de::DeserializeOwned>(text: &str) -> C {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The behaviour suite against a fake whose records `truth` reads; `bystanders` are the
/// records it must not touch.
pub fn passes_the_suite<B: PartialEq + Debug>(
    p: &dyn DynProvider,
    zone: Name,
    truth: impl Fn(&RrsetKey) -> Rrset,
    bystanders: impl Fn() -> B,
    fake: &Fake,
) {
    let subject = Subject {
        provider: p,
        zone,
        truth: &truth,
    };
    behaviour_suite(&subject, &bystanders);
    fake.assert_clean();
}

/// 429s and 503s are waited out (see [`rate_limits_are_honoured`]).
pub fn honours_rate_limits(
    p: &dyn DynProvider,
    zone: Name,
    truth: impl Fn(&RrsetKey) -> Rrset,
    fake: &Fake,
) {
    let subject = Subject {
        provider: p,
        zone,
        truth: &truth,
    };
    rate_limits_are_honoured(&subject, fake);
    fake.assert_clean();
}

/// A wrong `secret` is an authentication error that never shows it.
pub fn refuses_bad_credentials(p: &dyn DynProvider, zone: &Name, secret: &str, fake: &Fake) {
    bad_credentials_are_an_auth_error(p, zone, secret);
    fake.assert_clean();
}

/// A fake holding the records of one [`Store`] (the handler `handler` makes of it), and the
/// secret files of the provider built against it.
pub struct Env {
    pub fake: Fake,
    pub store: Arc<Mutex<Store>>,
    _secrets: Secrets,
}

impl Env {
    /// A fake for a store of `zone`, and the provider `provider` builds from it and the
    /// secret files.
    pub fn start<P, H>(
        zone: &str,
        handler: impl FnOnce(Arc<Mutex<Store>>) -> H,
        provider: impl FnOnce(&Fake, &Secrets) -> P,
    ) -> (Env, P)
    where
        H: FnMut(&FakeRequest) -> Result<FakeResponse, String> + Send + 'static,
    {
        let store = Arc::new(Mutex::new(Store::new(zone)));
        let fake = Fake::start(handler(store.clone()));
        let secrets = Secrets::new();
        let p = provider(&fake, &secrets);
        (
            Env {
                fake,
                store,
                _secrets: secrets,
            },
            p,
        )
    }
}

/// A fake whose `handle` answers from a shared `state`, and that state.
pub fn serve<S: Send + 'static>(
    state: S,
    handle: fn(&Arc<Mutex<S>>, &FakeRequest) -> Result<FakeResponse, String>,
) -> (Fake, Arc<Mutex<S>>) {
    let state = Arc::new(Mutex::new(state));
    let s = state.clone();
    (Fake::start(move |r| handle(&s, r)), state)
}

/// [`passes_the_suite`] against the [`Store`] that `store` finds in a fake's `state`.
pub fn store_passes_the_suite<S>(
    p: &dyn DynProvider,
    zone: Name,
    state: &Mutex<S>,
    store: fn(&S) -> &Store,
    fake: &Fake,
) {
    passes_the_suite(
        p,
        zone,
        |k| store(&state.lock().unwrap()).rrset(k),
        || store(&state.lock().unwrap()).bystanders(),
        fake,
    );
}

/// [`honours_rate_limits`] against the [`Store`] that `store` finds in a fake's `state`.
pub fn store_honours_rate_limits<S>(
    p: &dyn DynProvider,
    zone: Name,
    state: &Mutex<S>,
    store: fn(&S) -> &Store,
    fake: &Fake,
) {
    honours_rate_limits(p, zone, |k| store(&state.lock().unwrap()).rrset(k), fake);
}
