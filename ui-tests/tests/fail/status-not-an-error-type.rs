use errorhandler::status;

#[status(404)]
#[derive(Debug)]
struct CheeseNotFound;

fn main() {}
