use std::rc::Rc;

use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("cheese {0}")]
struct LocalCheese(Rc<str>);

errorhandler! {
    struct SiteErrors;

    #[errorhandler(LocalCheese)]
    fn declared(error: &LocalCheese) -> String {
        error.to_string()
    }
}

fn main() {}
