use errorhandler::{status, ErrorStatus};
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

#[status(404)]
impl ErrorStatus for CheeseNotFound {
    fn status(&self) -> StatusCode {
        StatusCode::NOT_FOUND
    }
}

fn main() {}
