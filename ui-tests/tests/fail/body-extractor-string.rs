use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(400)]
    async fn bad_request(_e: &HttpError, body: String) -> String {
        body
    }
}

fn main() {}
