//! A fake GSS mechanism for unit tests and fuzz targets (never for real use): one round trip (`hello` -> `welcome`), and MICs that
//! are HMAC-SHA256 under a shared secret, with a direction byte so a client MIC never passes
//! as a server MIC (as with Kerberos acceptor subkeys).

use ring::hmac;

use super::{GssError, GssErrorKind, SecurityContext, Step};

/// The initiator side.
#[derive(Debug)]
pub struct FakeContext {
    pub secret: Vec<u8>,
    pub established: bool,
}

impl FakeContext {
    /// A context whose MICs use `secret`.
    pub fn new(secret: &[u8]) -> Self {
        FakeContext {
            secret: secret.to_vec(),
            established: false,
        }
    }
}

/// The MIC the fake computes; `from_server` selects the direction.
pub fn fake_mic(secret: &[u8], from_server: bool, message: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(&[u8::from(from_server)]);
    ctx.update(message);
    ctx.sign().as_ref().to_vec()
}

impl SecurityContext for FakeContext {
    fn step(&mut self, input: Option<&[u8]>) -> Result<Step, GssError> {
        match input {
            None => Ok(Step::Continue(b"hello".to_vec())),
            Some(b"welcome") => {
                self.established = true;
                Ok(Step::Done(None))
            }
            Some(_) => Err(GssError::new(GssErrorKind::Other, "fake: unexpected token")),
        }
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, GssError> {
        Ok(fake_mic(&self.secret, false, message))
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), GssError> {
        if fake_mic(&self.secret, true, message) == mic {
            Ok(())
        } else {
            Err(GssError::new(GssErrorKind::BadMic, "fake: bad MIC"))
        }
    }
}
