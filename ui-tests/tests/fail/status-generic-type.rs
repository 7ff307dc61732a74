use errorhandler::status;

#[status(404)]
#[derive(Debug, thiserror::Error)]
#[error("no {0}")]
struct NotFound<T: std::fmt::Display + std::fmt::Debug>(T);

fn main() {}
