use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(_e: &HttpError, retries: u32) -> String {
        format!("{retries}")
    }
}

fn main() {}
