use errorhandler::status;

#[status(200)]
#[derive(Debug, thiserror::Error)]
#[error("all good")]
struct AllGood;

fn main() {}
