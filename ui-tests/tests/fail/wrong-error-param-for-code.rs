use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("no cheese")]
struct CheeseNotFound;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(e: &CheeseNotFound) -> String {
        e.to_string()
    }
}

fn main() {}
