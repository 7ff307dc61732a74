use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(&self, _e: &HttpError) -> &'static str {
        "not found"
    }
}

fn main() {}
