//! ECDH-ES (RFC 7518 §4.6; RFC 8037 §3.2 for X25519): ephemeral-static key agreement, then the
//! Concat KDF (NIST SP 800-56A §5.8.1, RFC 7518 §4.6.2) with `apu` and `apv`.
//!
//! The ECDH itself is the curve row's (`jwk/curve.rs`): encryption makes an ephemeral key
//! (ring for P-256 and P-384, aws-lc-rs for X25519 and P-521), decryption agrees with the
//! recipient's static private key, which only aws-lc-rs can do. The backends refuse a peer
//! point that is not on its curve; an all-zero X25519 result (a small-order point) is refused
//! here as well.

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{KeyManager, UnwrapCtx, WrapCtx, Wrapped, aeskw, b64_param};
use crate::base64url;
use crate::error::{CountRule, Error, KeyError, Part};
use crate::hash::HashAlg;
use crate::jwk::{Curve, Jwk, KeyMaterial, KeyType};
use crate::secret::SecretBytes;

/// ECDH-ES, direct (`kw: None`) or followed by AES key wrap with a `kw`-byte key.
pub(crate) struct Ecdh {
    kw: Option<usize>,
}

pub(crate) static DIRECT: Ecdh = Ecdh { kw: None };
pub(crate) static KW128: Ecdh = Ecdh { kw: Some(16) };
pub(crate) static KW192: Ecdh = Ecdh { kw: Some(24) };
pub(crate) static KW256: Ecdh = Ecdh { kw: Some(32) };

/// The curve and the encoded public point of an ECDH key: `04 ‖ x ‖ y` for `EC`, `x` for
/// `OKP`.
pub(crate) fn public_point(key: &Jwk, alg: &'static str) -> Result<(Curve, Vec<u8>), Error> {
    match key.material() {
        KeyMaterial::Ec { crv, x, y, .. } if crv.row().ecdh => {
            Ok((*crv, crate::backend::uncompressed_point(x, y)))
        }
        KeyMaterial::Okp { crv, x, .. } if crv.row().ecdh => Ok((*crv, x.clone())),
        _ => Err(KeyError::WrongKeyType { alg }.into()),
    }
}

/// The private key `d` of an ECDH key.
fn private_scalar<'k>(key: &'k Jwk, alg: &'static str) -> Result<&'k [u8], Error> {
    match key.material() {
        KeyMaterial::Ec { d: Some(d), .. } | KeyMaterial::Okp { d: Some(d), .. } => {
            Ok(d.expose_secret())
        }
        KeyMaterial::Ec { .. } | KeyMaterial::Okp { .. } => Err(KeyError::NotPrivate.into()),
        _ => Err(KeyError::WrongKeyType { alg }.into()),
    }
}

/// Agreement between the private key of `key` (on `crv`) and `peer`: a peer point that is not
/// on the curve is [`Error::InvalidParameter`] `epk`.
pub(crate) fn static_agree(
    key: &Jwk,
    crv: Curve,
    peer: &[u8],
    alg: &'static str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let ecdh = crv.row().ecdh_static(alg)?;
    ecdh.agree_static(key, private_scalar(key, alg)?, peer)
}

/// The `epk` header value for an encoded public point.
fn epk_object(crv: Curve, point: &[u8]) -> Result<Value, Error> {
    let mut o = Map::new();
    o.insert("kty".into(), Value::String(crv.key_type().name().into()));
    o.insert("crv".into(), Value::String(crv.name().into()));
    if crv.key_type() == KeyType::Okp {
        o.insert("x".into(), Value::String(base64url::encode(point)));
    } else {
        let len = crv.coordinate_len();
        let (x, y) = point
            .get(1..)
            .ok_or(Error::Random)?
            .split_at_checked(len)
            .ok_or(Error::Random)?;
        o.insert("x".into(), Value::String(base64url::encode(x)));
        o.insert("y".into(), Value::String(base64url::encode(y)));
    }
    Ok(Value::Object(o))
}

/// Reads the `epk` header parameter: a public key on `crv`, returned as an encoded point.
fn read_epk(header: &Map<String, Value>, crv: Curve) -> Result<Vec<u8>, Error> {
    let invalid = || Error::InvalidParameter { name: "epk".into() };
    let epk = match header.get("epk") {
        None => return Err(Error::MissingParameter { name: "epk" }),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(invalid()),
    };
    let text = |name: &str| match epk.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(invalid()),
    };
    if text("kty")? != crv.key_type().name() || text("crv")? != crv.name() || epk.contains_key("d")
    {
        return Err(invalid());
    }
    let coord = |name: &str| {
        let b = base64url::decode(text(name)?.as_bytes(), Part::Header).map_err(|_| invalid())?;
        if b.len() == crv.coordinate_len() {
            Ok(b)
        } else {
            Err(invalid())
        }
    };
    if crv.key_type() == KeyType::Okp {
        if epk.contains_key("y") {
            return Err(invalid());
        }
        return coord("x");
    }
    let mut p = vec![4];
    p.extend_from_slice(&coord("x")?);
    p.extend_from_slice(&coord("y")?);
    Ok(p)
}

/// The Concat KDF of RFC 7518 §4.6.2 with SHA-256.
pub(crate) fn concat_kdf(
    z: &[u8],
    alg_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let len32 = |b: &[u8]| {
        u32::try_from(b.len())
            .map(u32::to_be_bytes)
            .map_err(|_| Error::TooLarge {
                part: Part::Header,
                limit: u32::MAX as usize,
            })
    };
    let bits = u32::try_from(key_len * 8).map_err(|_| Error::DecryptionFailed)?;
    let mut out = Zeroizing::new(Vec::with_capacity(key_len + 32));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let round = Zeroizing::new(crate::backend::ring::digest(
            HashAlg::Sha256,
            &[
                &counter.to_be_bytes(),
                z,
                &len32(alg_id.as_bytes())?,
                alg_id.as_bytes(),
                &len32(apu)?,
                apu,
                &len32(apv)?,
                apv,
                &bits.to_be_bytes(),
            ],
        ));
        out.extend_from_slice(&round);
        counter = counter.checked_add(1).ok_or(Error::DecryptionFailed)?;
    }
    out.truncate(key_len);
    Ok(out)
}

/// Whether an X25519 shared secret is all zeros (the peer sent a small-order point).
fn all_zero(z: &[u8]) -> bool {
    bool::from(z.ct_eq(&[0u8; 32][..z.len().min(32)])) && z.len() == 32
}

impl Ecdh {
    /// The key length to derive and the AlgorithmID of the KDF.
    fn kdf_params(
        &self,
        ctx_alg: &'static str,
        enc: &crate::jwe::ContentEncryption,
    ) -> (usize, &'static str) {
        match self.kw {
            None => (enc.key_len(), enc.name()),
            Some(len) => (len, ctx_alg),
        }
    }
}

impl KeyManager for Ecdh {
    /// Decryption with a static key needs aws-lc-rs (ring only does ephemeral ECDH).
    fn is_available(&self) -> bool {
        Curve::ALL
            .iter()
            .filter(|c| c.row().ecdh)
            .all(|c| c.row().has_ecdh_static())
    }

    fn wrap(&self, ctx: &WrapCtx<'_>) -> Result<Wrapped, Error> {
        if self.kw.is_none() && ctx.cek.is_some() {
            return Err(Error::RecipientCount {
                rule: CountRule::DirectWithOthers,
            });
        }
        let (crv, peer) = public_point(ctx.key, ctx.alg.name())?;
        let (z, epk) = match ctx.fixed.and_then(|f| f.epk.as_ref()) {
            Some(eph) => static_agree(eph, crv, &peer, ctx.alg.name())
                .map_err(|e| {
                    if matches!(e, Error::InvalidParameter { .. }) {
                        KeyError::InvalidPoint.into()
                    } else {
                        e
                    }
                })
                .and_then(|z| Ok((z, public_point(eph, ctx.alg.name())?.1)))?,
            None => crv
                .row()
                .ecdh_ephemeral(ctx.alg.name())?
                .agree_ephemeral(&peer)?,
        };
        if crv.key_type() == KeyType::Okp && all_zero(&z) {
            return Err(KeyError::InvalidPoint.into());
        }
        let (key_len, alg_id) = self.kdf_params(ctx.alg.name(), ctx.enc);
        let derived = concat_kdf(
            &z,
            alg_id,
            ctx.apu.unwrap_or_default(),
            ctx.apv.unwrap_or_default(),
            key_len,
        )?;
        let mut params = Map::new();
        params.insert("epk".into(), epk_object(crv, &epk)?);
        if let Some(apu) = ctx.apu {
            params.insert("apu".into(), Value::String(base64url::encode(apu)));
        }
        if let Some(apv) = ctx.apv {
            params.insert("apv".into(), Value::String(base64url::encode(apv)));
        }
        let (cek, encrypted_key) = match ctx.cek {
            None => (Some(SecretBytes::from_slice(&derived)), Vec::new()),
            Some(cek) => (None, aeskw::wrap(&derived, cek.expose_secret())?),
        };
        Ok(Wrapped {
            cek,
            encrypted_key,
            params,
        })
    }

    fn unwrap(&self, ctx: &UnwrapCtx<'_>) -> Result<SecretBytes, Error> {
        let (crv, _) = public_point(ctx.key, ctx.alg.name())?;
        let peer = read_epk(ctx.header, crv)?;
        let z = static_agree(ctx.key, crv, &peer, ctx.alg.name())?;
        if crv.key_type() == KeyType::Okp && all_zero(&z) {
            return Err(Error::InvalidParameter { name: "epk".into() });
        }
        let apu = b64_param(ctx.header, "apu")?.unwrap_or_default();
        let apv = b64_param(ctx.header, "apv")?.unwrap_or_default();
        let (key_len, alg_id) = self.kdf_params(ctx.alg.name(), ctx.enc);
        let derived = concat_kdf(&z, alg_id, &apu, &apv, key_len)?;
        if self.kw.is_none() {
            if !ctx.encrypted_key.is_empty() {
                return Err(Error::InvalidParameter {
                    name: "encrypted_key".into(),
                });
            }
            return Ok(SecretBytes::from_slice(&derived));
        }
        aeskw::unwrap(&derived, ctx.encrypted_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_kdf_rfc7518_appendix_c() {
        // RFC 7518 Appendix C: Z, "A128GCM", apu "Alice", apv "Bob", 128 bits.
        let z = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
            110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let k = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16).unwrap();
        assert_eq!(base64url::encode(&k), "VqqN6vgjbSBcIijNcacQGg");
    }

    #[test]
    fn all_zero_detects_only_zero() {
        assert!(all_zero(&[0; 32]));
        let mut z = [0; 32];
        z[31] = 1;
        assert!(!all_zero(&z));
    }
}

#[cfg(all(test, feature = "aws-lc"))]
mod appendix_c {
    use super::*;

    /// RFC 7518 Appendix C: Bob's static key and Alice's ephemeral key agree on Z, and the
    /// Concat KDF gives the stated key; both directions.
    #[test]
    fn rfc7518_appendix_c() {
        let v: Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/jwe/rfc7518/appendix_c.json"
        ))
        .unwrap();
        let jwk = |n: &str| Jwk::parse(v[n].to_string().as_bytes()).unwrap();
        let (alice, bob) = (jwk("alice_ephemeral"), jwk("bob"));
        let b64 =
            |n: &str| base64url::decode(v[n].as_str().unwrap().as_bytes(), Part::Header).unwrap();
        let (_, alice_pub) = public_point(&alice, "ECDH-ES").unwrap();
        let (_, bob_pub) = public_point(&bob, "ECDH-ES").unwrap();
        let z1 = static_agree(&bob, Curve::P256, &alice_pub, "ECDH-ES").unwrap();
        let z2 = static_agree(&alice, Curve::P256, &bob_pub, "ECDH-ES").unwrap();
        assert_eq!(*z1, b64("z"));
        assert_eq!(z1, z2);
        let k = concat_kdf(&z1, "A128GCM", &b64("apu"), &b64("apv"), 16).unwrap();
        assert_eq!(*k, b64("derived_key"));
    }

    #[test]
    fn invalid_curve_points_are_refused() {
        let v: Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/jwe/rfc7518/appendix_c.json"
        ))
        .unwrap();
        let bob = Jwk::parse(v["bob"].to_string().as_bytes()).unwrap();
        let (_, mut p) = public_point(&bob, "ECDH-ES").unwrap();
        p[40] ^= 1; // y no longer on the curve
        assert_eq!(
            static_agree(&bob, Curve::P256, &p, "ECDH-ES"),
            Err(Error::InvalidParameter { name: "epk".into() })
        );
    }
}
