use errorhandler::status;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

#[status]
impl Default for CheeseNotFound {
    fn default() -> Self {
        CheeseNotFound
    }
}

fn main() {}
