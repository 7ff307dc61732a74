use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(302)]
    fn found() -> &'static str {
        "found"
    }

    #[errorhandler(404)]
    fn not_found<T>(_e: &HttpError) -> &'static str {
        "not found"
    }
}

fn main() {}
