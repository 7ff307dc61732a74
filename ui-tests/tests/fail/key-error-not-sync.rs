use std::cell::Cell;

use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("cheese {0:?}")]
struct CountedCheese(Cell<u32>);

errorhandler! {
    struct SiteErrors;

    #[errorhandler(CountedCheese)]
    fn counted(error: &CountedCheese) -> String {
        error.to_string()
    }
}

fn main() {}
