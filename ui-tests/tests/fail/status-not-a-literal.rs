use errorhandler::status;

#[status("404")]
#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

fn main() {}
