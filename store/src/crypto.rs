//! Cryptographic primitives of layer 2: passphrase KDF, subkeys, value sealing.
//! The constructions are specified in docs/storage-format.md ("Layer 2").

use std::fmt;

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length of every key: master key, subkeys, keyed-hash keys.
pub(crate) const KEY_LEN: usize = 32;
/// XChaCha20-Poly1305 nonce length.
pub(crate) const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Bytes a sealed value adds to its plaintext.
pub(crate) const SEAL_OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// A 32-byte secret key, wiped from memory when dropped and never printed.
#[derive(Clone)]
pub struct Key([u8; KEY_LEN]);

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Key {}

impl Key {
    /// The key bytes. Copies the caller makes are the caller's to wipe.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// Argon2id cost parameters, stored in the cleartext header so `open` can re-derive the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism (lanes).
    pub p_cost: u32,
}

impl KdfParams {
    /// Parameters for real stores: 64 MiB, 3 passes, 1 lane (above the OWASP minimum of
    /// 19 MiB and 2 passes for argon2id).
    pub const RECOMMENDED: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// The cheapest parameters argon2 accepts. Offers no protection against guessing:
    /// for tests and benchmarks only.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    /// Largest parameters `open` accepts from a header (4 GiB, 64 passes, 64 lanes), so a
    /// hostile header cannot make `open` exhaust memory or run for hours.
    pub const MAX: KdfParams = KdfParams {
        m_cost_kib: 4 * 1024 * 1024,
        t_cost: 64,
        p_cost: 64,
    };

    /// Whether argon2 accepts these parameters and they are within [`KdfParams::MAX`].
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.m_cost_kib <= Self::MAX.m_cost_kib
            && self.t_cost <= Self::MAX.t_cost
            && self.p_cost <= Self::MAX.p_cost
            && self.argon2_params().is_ok()
    }

    fn argon2_params(self) -> Result<argon2::Params, argon2::Error> {
        argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::RECOMMENDED
    }
}

/// Stretches `passphrase` into the master key with argon2id (version 0x13).
pub(crate) fn derive_master_key(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Key, argon2::Error> {
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.argon2_params()?,
    );
    let mut key = Key([0; KEY_LEN]);
    argon.hash_password_into(passphrase, salt, &mut key.0)?;
    Ok(key)
}

/// An independent key for `context` (blake3 `derive_key`); distinct contexts give
/// computationally independent keys.
pub(crate) fn derive_subkey(master: &Key, context: &str) -> Key {
    Key(blake3::derive_key(context, &master.0))
}

/// Keyed blake3 of `parts` concatenated.
///
/// The hasher is not wiped afterwards: for inputs up to 1 KiB (logical keys), `finalize`
/// builds an output record on the stack holding the key as its chaining value, a copy that
/// wiping the hasher never reached, and wiping the 1.9 KiB hasher added about 40 ns, a
/// third of hashing a short key.
pub(crate) fn keyed_hash(key: &Key, parts: &[&[u8]]) -> [u8; KEY_LEN] {
    let mut hasher = blake3::Hasher::new_keyed(&key.0);
    for part in parts {
        hasher.update(part);
    }
    *hasher.finalize().as_bytes()
}

/// Fills `buf` from the operating system's CSPRNG.
pub(crate) fn random_fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}

/// Sealing fails only for a plaintext over XChaCha20-Poly1305's limit (256 GiB); opening
/// failures carry no detail on purpose.
#[derive(Debug)]
pub(crate) enum SealError {
    TooLong,
}

/// Seals and opens values with XChaCha20-Poly1305 under one key.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub(crate) fn new(key: &Key) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new((&key.0).into()),
        }
    }

    /// Appends `nonce || ciphertext || tag` of `plaintext` to `out`, authenticating `aad`
    /// alongside. `nonce` must be fresh random bytes, never used before under this key.
    pub(crate) fn seal_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SealError> {
        let start = out.len() + NONCE_LEN;
        out.reserve(plaintext.len() + SEAL_OVERHEAD);
        out.extend_from_slice(nonce);
        out.extend_from_slice(plaintext);
        let tag = self
            .cipher
            .encrypt_inout_detached(nonce.into(), aad, (&mut out[start..]).into())
            .map_err(|_| SealError::TooLong)?;
        out.extend_from_slice(&tag);
        Ok(())
    }

    /// Opens a value made by [`Sealer::seal_into`] with the same `aad`, in place: `sealed`
    /// becomes the plaintext. `None` if it is too short, was altered, or was sealed under
    /// another key or `aad`.
    pub(crate) fn open(&self, aad: &[u8], mut sealed: Vec<u8>) -> Option<Vec<u8>> {
        let plain_len = sealed.len().checked_sub(SEAL_OVERHEAD)?;
        let (nonce, rest) = sealed.split_at_mut(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at_mut(plain_len);
        let nonce: &[u8; NONCE_LEN] = (&*nonce).try_into().ok()?;
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().ok()?;
        self.cipher
            .decrypt_inout_detached(nonce.into(), aad, ciphertext.into(), tag.into())
            .ok()?;
        // Moving the plaintext to the front costs a few percent of decrypting it; for small
        // values it is cheaper than allocating a separate output buffer.
        sealed.copy_within(NONCE_LEN..NONCE_LEN + plain_len, 0);
        sealed.truncate(plain_len);
        Some(sealed)
    }
}
