use errorhandler::ErrorStatus;
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

impl ErrorStatus for CheeseNotFound {
    fn status(&self) -> StatusCode {
        StatusCode::NOT_FOUND
    }
}

fn main() {}
