use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    async fn not_found(_e: &HttpError) -> bool {
        false
    }
}

fn main() {}
