#![deny(warnings, unused_qualifications, non_snake_case)]

use errorhandler::{status, Error, ErrorStatus};
use http::{header, HeaderMap, HeaderValue, StatusCode};

#[status(404)]
#[derive(Debug, thiserror::Error)]
#[error("no cheese called {0}")]
pub struct CheeseNotFound(String);

#[status(503)]
#[derive(Debug, thiserror::Error)]
pub enum KitchenError {
    #[error("closed")]
    Closed,
}

#[derive(Debug, thiserror::Error)]
#[error("closed for {0} s")]
pub struct Closed(u32);

#[status]
impl ErrorStatus for Closed {
    fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn enforced_headers(&self) -> HeaderMap {
        HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from(self.0))])
    }
}

mod elsewhere {
    #[errorhandler::status(410)]
    #[derive(Debug, thiserror::Error)]
    #[error("gone")]
    pub struct Gone;
}

fn main() {
    assert_eq!(Error::from(CheeseNotFound("brie".into())).status(), StatusCode::NOT_FOUND);
    assert_eq!(Error::from(KitchenError::Closed).status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(Error::from(Closed(5)).status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(Error::from(elsewhere::Gone).status(), StatusCode::GONE);
}
