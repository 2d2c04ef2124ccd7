//! [`ClaimsRequest`]: the OpenID Connect `claims` request parameter (OpenID Connect Core §5.5),
//! with each claim put where the caller chose, in the ID token or in the UserInfo response
//! (`_OIDC/chapters/authorization_request.md`, `claims`: "either in the ID Token ... or in the
//! UserInfo object"; itsme® recommends the ID token).

use serde_json::{Map, Value};

use super::Claim;

/// Where a requested claim is returned.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// In the ID token (the `id_token` member): no UserInfo request needed, as itsme®
    /// recommends.
    IdToken,
    /// In the UserInfo response (the `userinfo` member).
    UserInfo,
}

impl Location {
    /// The member name in the `claims` parameter: `id_token` or `userinfo`.
    #[must_use]
    pub fn member(self) -> &'static str {
        match self {
            Self::IdToken => "id_token",
            Self::UserInfo => "userinfo",
        }
    }
}

/// The claims a login asks for, by [`Location`], written as the `claims` request parameter
/// with [`to_json`](Self::to_json).
///
/// A claim asked for twice in the same place is asked once (the last request wins).
/// ```
/// use zegel_itsme::claims::{self, ClaimsRequest, Location};
/// let request = ClaimsRequest::new()
///     .with(&claims::FAMILY_NAME, Location::IdToken)
///     .with_essential(&claims::BE_NATIONAL_NUMBER, Location::IdToken)
///     .with(&claims::ADDRESS, Location::UserInfo);
/// assert_eq!(
///     request.to_json().to_string(),
///     r#"{"id_token":{"family_name":null,"http://itsme.services/v2/claim/BENationalNumber":{"essential":true}},"userinfo":{"address":null}}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimsRequest {
    id_token: Map<String, Value>,
    userinfo: Map<String, Value>,
}

impl ClaimsRequest {
    /// An empty request.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for `claim` in `location` as a voluntary claim (`null`).
    #[must_use]
    pub fn with(mut self, claim: &Claim, location: Location) -> Self {
        self.insert(location, claim.name().into_owned(), Value::Null);
        self
    }

    /// Asks for `claim` in `location` as an essential claim (`{"essential": true}`).
    #[must_use]
    pub fn with_essential(mut self, claim: &Claim, location: Location) -> Self {
        let mut spec = Map::new();
        spec.insert("essential".to_owned(), Value::Bool(true));
        self.insert(location, claim.name().into_owned(), Value::Object(spec));
        self
    }

    /// Adds an essential claim with a value (`{"essential": true, "value": ...}`), as the
    /// confirmation templates are sent.
    pub(crate) fn insert_essential_value(&mut self, location: Location, name: &str, value: &str) {
        let mut spec = Map::new();
        spec.insert("essential".to_owned(), Value::Bool(true));
        spec.insert("value".to_owned(), Value::String(value.to_owned()));
        self.insert(location, name.to_owned(), Value::Object(spec));
    }

    fn insert(&mut self, location: Location, name: String, spec: Value) {
        let map = match location {
            Location::IdToken => &mut self.id_token,
            Location::UserInfo => &mut self.userinfo,
        };
        map.insert(name, spec);
    }

    /// Whether nothing is asked for: then the `claims` parameter is left out.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.id_token.is_empty() && self.userinfo.is_empty()
    }

    /// The names asked for in `location`.
    pub fn names(&self, location: Location) -> impl Iterator<Item = &str> {
        match location {
            Location::IdToken => self.id_token.keys(),
            Location::UserInfo => self.userinfo.keys(),
        }
        .map(String::as_str)
    }

    /// The `claims` parameter: `{"id_token": {...}, "userinfo": {...}}`, each member only when
    /// it asks for something.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for location in [Location::IdToken, Location::UserInfo] {
            let map = match location {
                Location::IdToken => &self.id_token,
                Location::UserInfo => &self.userinfo,
            };
            if !map.is_empty() {
                out.insert(location.member().to_owned(), Value::Object(map.clone()));
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{self, Claim};

    #[test]
    fn an_empty_request_is_an_empty_object() {
        let request = ClaimsRequest::new();
        assert!(request.is_empty());
        assert_eq!(request.to_json().to_string(), "{}");
    }

    #[test]
    fn each_claim_goes_where_it_was_asked() {
        let request = ClaimsRequest::new()
            .with(&claims::EMAIL, Location::UserInfo)
            .with(&Claim::age_gte(18), Location::IdToken);
        assert!(!request.is_empty());
        assert_eq!(
            request.to_json().to_string(),
            r#"{"id_token":{"http://itsme.services/v2/claim/age_gte_18":null},"userinfo":{"email":null}}"#
        );
        assert_eq!(
            request.names(Location::IdToken).collect::<Vec<_>>(),
            ["http://itsme.services/v2/claim/age_gte_18"]
        );
        assert_eq!(
            request.names(Location::UserInfo).collect::<Vec<_>>(),
            ["email"]
        );
    }

    #[test]
    fn asking_twice_asks_once_with_the_last_spec() {
        let request = ClaimsRequest::new()
            .with(&claims::NAME, Location::IdToken)
            .with_essential(&claims::NAME, Location::IdToken);
        assert_eq!(
            request.to_json().to_string(),
            r#"{"id_token":{"name":{"essential":true}}}"#
        );
    }

    #[test]
    fn location_members_are_the_oidc_names() {
        assert_eq!(Location::IdToken.member(), "id_token");
        assert_eq!(Location::UserInfo.member(), "userinfo");
    }
}
