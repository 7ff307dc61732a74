use errorhandler::status;

#[status]
#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

fn main() {}
