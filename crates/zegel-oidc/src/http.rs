//! HTTP at the edge: the one trait the rest of the crate talks through, and (with the `http`
//! feature, on by default) its hyper implementation.
//!
//! [`HttpClient`] has one method: send a request, get the status, headers and a body no larger
//! than the client's cap. Bring your own client by implementing it; it must not follow
//! redirects (a 3xx is answered as it is), must cap the body, and should time out.

use core::fmt;
use core::future::Future;
use core::pin::Pin;

use crate::error::Error;

#[cfg(feature = "http")]
mod hyper_client;

#[cfg(feature = "http")]
pub use hyper_client::{HttpConfig, HyperClient};

/// The default cap on a response body: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// A boxed, sendable future (what [`HttpClient::send`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends HTTP requests for this crate.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the response, its body capped.
    ///
    /// # Errors
    /// [`Error::Connect`], [`Error::Timeout`] and [`Error::TooLarge`], naming the URL and the
    /// limit hit. A non-2xx status is not an error here.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, Error>>;
}

/// The `User-Agent` sent: `zegel/<version>`.
pub const USER_AGENT: &str = concat!("zegel/", env!("CARGO_PKG_VERSION"));
