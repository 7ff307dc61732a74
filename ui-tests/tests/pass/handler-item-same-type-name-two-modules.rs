//! Two `#[handler]` functions keyed by two different types that share a name, `a::Error` and `b::Error`,
//! named in one set: different keys, not a duplicate.
#![deny(warnings, unused_qualifications, non_snake_case)]

use errorhandler::errorhandler;

mod a {
    use errorhandler::handler;

    #[derive(Debug, thiserror::Error)]
    #[error("a failed")]
    pub struct Error;

    #[handler(Error)]
    pub fn ha(e: &Error) -> String {
        e.to_string()
    }
}

mod b {
    use errorhandler::handler;

    #[derive(Debug, thiserror::Error)]
    #[error("b failed")]
    pub struct Error;

    #[handler(Error)]
    pub fn hb(e: &Error) -> String {
        e.to_string()
    }
}

errorhandler! {
    pub struct SiteErrors;

    a::ha;
    b::hb;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
