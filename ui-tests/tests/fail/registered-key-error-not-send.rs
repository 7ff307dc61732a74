use std::rc::Rc;

use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("cheese {0}")]
struct LocalCheese(Rc<str>);

fn describe(error: &LocalCheese) -> String {
    error.to_string()
}

errorhandler! {
    struct SiteErrors;

    LocalCheese => describe;
}

fn main() {}
