use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(CheeseNotFound)]
    fn first(_e: &CheeseNotFound) -> &'static str {
        "first"
    }

    #[errorhandler(CheeseNotFound)]
    fn second(_e: &CheeseNotFound) -> &'static str {
        "second"
    }
}

fn main() {}
