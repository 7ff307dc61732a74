use errorhandler::{errorhandler, HttpError};

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(CheeseNotFound)]
    fn cheese_missing(e: &HttpError) -> String {
        e.to_string()
    }
}

fn main() {}
