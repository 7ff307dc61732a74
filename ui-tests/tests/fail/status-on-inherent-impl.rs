use errorhandler::status;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

#[status]
impl CheeseNotFound {
    fn status(&self) -> u16 {
        404
    }
}

fn main() {}
