//! The errors tower's middleware returns, declared: a layer of a set wrapped around them dispatches them to the
//! set's handlers with these statuses.
//!
//! A timeout (`tower::timeout::error::Elapsed`) is a 503 Service Unavailable, not a 408 Request Timeout: the server
//! ran out of time doing its own work, and a 408 tells the client that *it* was too slow to send its request (some
//! clients send the request again on their own when they get one, which a request that is not idempotent must not
//! be). Load shedding (`tower::load_shed::error::Overloaded`) is a 503 too. Any other error of a middleware is a
//! 500, unless its type is declared.

use http::StatusCode;
use tower::load_shed::error::Overloaded;
use tower::timeout::error::Elapsed;

use crate::error_status::{Declaration, Declared, ErrorStatus};

// Declared as a user's type would be (the attribute's expansion, written out: the core does not use its macros).
#[diagnostic::do_not_recommend]
impl ErrorStatus for Elapsed {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

// Kept out of the list rustc shows of the types that implement it: users declare their own.
#[diagnostic::do_not_recommend]
impl Declared for Elapsed {}

inventory::submit!(Declaration::of::<Elapsed>());

#[diagnostic::do_not_recommend]
impl ErrorStatus for Overloaded {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

#[diagnostic::do_not_recommend]
impl Declared for Overloaded {}

inventory::submit!(Declaration::of::<Overloaded>());
