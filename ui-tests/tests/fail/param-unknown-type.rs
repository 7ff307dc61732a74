use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(_e: &HttpError, uri: Uri) -> String {
        format!("{uri}")
    }
}

fn main() {}
