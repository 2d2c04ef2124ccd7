//! Finding a key on the token by label or id, reading its public part as a JWK, and caching
//! its object handle for the pool's current generation.

use std::sync::{Mutex, PoisonError};

use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use zegel_jose::Jwk;
use zegel_jose::jwk::{Curve, JwkParams, KeyMaterial};

use crate::der;
use crate::error::Pkcs11Error;
use crate::token::{Token, classify};
use crate::uri::{ObjectType, Pkcs11Uri, UriError};

/// Which key of the token: its label (`CKA_LABEL`), its id (`CKA_ID`), or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRef {
    label: Option<String>,
    id: Option<Vec<u8>>,
}

impl KeyRef {
    /// The key labelled `label`.
    #[must_use]
    pub fn label(label: impl Into<String>) -> Self {
        Self {
            label: Some(label.into()),
            id: None,
        }
    }

    /// The key with id `id`.
    #[must_use]
    pub fn id(id: impl Into<Vec<u8>>) -> Self {
        Self {
            label: None,
            id: Some(id.into()),
        }
    }

    /// Also requires the id `id`.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<Vec<u8>>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The private key a PKCS #11 URI names by `object` and/or `id`.
    ///
    /// # Errors
    /// [`UriError::NoObject`] when it names neither; [`UriError::InvalidValue`] (`type`) when
    /// its `type` is not `private`.
    pub fn from_uri(uri: &Pkcs11Uri) -> Result<Self, UriError> {
        if uri.object().is_none() && uri.id().is_none() {
            return Err(UriError::NoObject);
        }
        if uri.object_type().is_some_and(|t| t != ObjectType::Private) {
            return Err(UriError::InvalidValue {
                name: "type".to_owned(),
            });
        }
        Ok(Self {
            label: uri.object().map(str::to_owned),
            id: uri.id().map(<[u8]>::to_vec),
        })
    }

    /// The label, else `id=` and the id in hex, for messages.
    pub(crate) fn describe(&self) -> String {
        match (&self.label, &self.id) {
            (Some(label), _) => label.clone(),
            (None, Some(id)) => {
                let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
                format!("id={hex}")
            }
            (None, None) => String::new(),
        }
    }

    /// The search template for objects of `class`.
    fn template(&self, class: ObjectClass) -> Vec<Attribute> {
        let mut t = vec![Attribute::Class(class)];
        if let Some(label) = &self.label {
            t.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = &self.id {
            t.push(Attribute::Id(id.clone()));
        }
        t
    }

    /// The one object of `class` this names.
    pub(crate) fn find(
        &self,
        session: &Session,
        class: ObjectClass,
    ) -> Result<ObjectHandle, Pkcs11Error> {
        let found = session
            .find_objects(&self.template(class))
            .map_err(|e| classify(&e))?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Pkcs11Error::KeyNotFound {
                key: self.describe(),
            }),
            _ => Err(Pkcs11Error::AmbiguousKey {
                key: self.describe(),
            }),
        }
    }
}

/// The kind of a private key found on the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// RSA.
    Rsa,
    /// EC on a curve, with its coordinate length.
    Ec(Curve, usize),
}

/// A private key's handle, looked up again when the pool's generation changes.
#[derive(Debug)]
pub(crate) struct Located {
    key: KeyRef,
    cache: Mutex<Option<(u64, ObjectHandle)>>,
}

impl Located {
    pub(crate) fn new(key: KeyRef) -> Self {
        Self {
            key,
            cache: Mutex::new(None),
        }
    }

    /// The private key's handle in `generation`.
    pub(crate) fn handle(
        &self,
        session: &Session,
        generation: u64,
    ) -> Result<ObjectHandle, Pkcs11Error> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((g, h)) = *cache
            && g == generation
        {
            return Ok(h);
        }
        let h = self.key.find(session, ObjectClass::PRIVATE_KEY)?;
        *cache = Some((generation, h));
        Ok(h)
    }
}

/// What a private key may do (`CKA_SIGN`, `CKA_DECRYPT`, `CKA_DERIVE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Sign,
    Decrypt,
    Derive,
}

impl Operation {
    fn attribute(self) -> AttributeType {
        match self {
            Self::Sign => AttributeType::Sign,
            Self::Decrypt => AttributeType::Decrypt,
            Self::Derive => AttributeType::Derive,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Decrypt => "decrypt",
            Self::Derive => "derive",
        }
    }
}

/// Checks that the private key `key` may do `op`.
pub(crate) fn permits(token: &Token, key: &KeyRef, op: Operation) -> Result<(), Pkcs11Error> {
    token.run(|session, _| {
        let private = key.find(session, ObjectClass::PRIVATE_KEY)?;
        let attrs = session
            .get_attributes(private, &[op.attribute()])
            .map_err(|e| classify(&e))?;
        match attrs.first() {
            Some(Attribute::Sign(true) | Attribute::Decrypt(true) | Attribute::Derive(true)) => {
                Ok(())
            }
            _ => Err(Pkcs11Error::KeyNotPermitted {
                key: key.describe(),
                operation: op.name(),
            }),
        }
    })
}

/// The private key `key` names: its kind and its public part as a JWK (no `kid`, `alg` or
/// `use` yet).
pub(crate) fn inspect(token: &Token, key: &KeyRef) -> Result<(KeyKind, Jwk), Pkcs11Error> {
    token.run(|session, _| {
        let private = key.find(session, ObjectClass::PRIVATE_KEY)?;
        let attrs = session
            .get_attributes(private, &[AttributeType::KeyType])
            .map_err(|e| classify(&e))?;
        let kind = match attrs.first() {
            Some(Attribute::KeyType(t)) => *t,
            _ => return Err(Pkcs11Error::PublicKeyUnreadable),
        };
        if kind == KeyType::RSA {
            let (n, e) = rsa_public(session, private)
                .or_else(|_| rsa_public(session, key.find(session, ObjectClass::PUBLIC_KEY)?))?;
            let material = KeyMaterial::Rsa {
                n,
                e,
                private: None,
            };
            Ok((KeyKind::Rsa, jwk(material)?))
        } else if kind == KeyType::EC {
            let params = one_attr(session, private, AttributeType::EcParams)?;
            let (crv, len) = der::curve(&params).ok_or(Pkcs11Error::PublicKeyUnreadable)?;
            let public = key.find(session, ObjectClass::PUBLIC_KEY)?;
            let raw = one_attr(session, public, AttributeType::EcPoint)?;
            let (x, y) = der::point(&raw, len).ok_or(Pkcs11Error::PublicKeyUnreadable)?;
            let material = KeyMaterial::Ec { crv, x, y, d: None };
            Ok((KeyKind::Ec(crv, len), jwk(material)?))
        } else {
            Err(Pkcs11Error::PublicKeyUnreadable)
        }
    })
}

/// `(n, e)` of an RSA key object.
fn rsa_public(session: &Session, h: ObjectHandle) -> Result<(Vec<u8>, Vec<u8>), Pkcs11Error> {
    Ok((
        one_attr(session, h, AttributeType::Modulus)?,
        one_attr(session, h, AttributeType::PublicExponent)?,
    ))
}

/// One byte-string attribute.
fn one_attr(session: &Session, h: ObjectHandle, ty: AttributeType) -> Result<Vec<u8>, Pkcs11Error> {
    let attrs = session.get_attributes(h, &[ty]).map_err(|e| classify(&e))?;
    match attrs.into_iter().next() {
        Some(
            Attribute::Modulus(v)
            | Attribute::PublicExponent(v)
            | Attribute::EcParams(v)
            | Attribute::EcPoint(v)
            | Attribute::Value(v),
        ) => Ok(v),
        _ => Err(Pkcs11Error::PublicKeyUnreadable),
    }
}

/// A public JWK of `material`.
fn jwk(material: KeyMaterial) -> Result<Jwk, Pkcs11Error> {
    Jwk::new(material, JwkParams::default()).map_err(|_| Pkcs11Error::PublicKeyUnreadable)
}

/// `public` with `kid` = its RFC 7638 thumbprint, `alg` and `use`.
pub(crate) fn publish(public: Jwk, alg: Option<&str>, use_: &str) -> Jwk {
    let kid = public.thumbprint_sha256_b64();
    let public = public.with_kid(kid).with_use(use_);
    match alg {
        Some(alg) => public.with_alg(alg),
        None => public,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_names_a_key_by_label_or_id() {
        let uri = Pkcs11Uri::parse("pkcs11:token=t;object=sig;id=%0a").unwrap();
        let key = KeyRef::from_uri(&uri).unwrap();
        assert_eq!(key, KeyRef::label("sig").with_id([0x0a]));
        assert_eq!(key.describe(), "sig");
        assert_eq!(KeyRef::id([0x0a, 0xff]).describe(), "id=0aff");
        // The reject twin: a URI that names the token only.
        let uri = Pkcs11Uri::parse("pkcs11:token=t").unwrap();
        assert_eq!(KeyRef::from_uri(&uri).unwrap_err(), UriError::NoObject);
        assert_eq!(UriError::NoObject.code(), "pkcs11.uri.no_object");
        let uri = Pkcs11Uri::parse("pkcs11:object=sig;type=private").unwrap();
        assert_eq!(KeyRef::from_uri(&uri).unwrap(), KeyRef::label("sig"));
        let uri = Pkcs11Uri::parse("pkcs11:object=sig;type=public").unwrap();
        assert_eq!(
            KeyRef::from_uri(&uri).unwrap_err(),
            UriError::InvalidValue {
                name: "type".into()
            }
        );
    }

    #[test]
    fn signers_and_decrypters_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Token>();
        check::<crate::Pkcs11Signer>();
        check::<crate::Pkcs11Decrypter>();
    }
}
