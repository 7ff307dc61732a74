use errorhandler::status;
use http::StatusCode;

#[status(StatusCode::NOT_FOUND)]
#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

fn main() {}
