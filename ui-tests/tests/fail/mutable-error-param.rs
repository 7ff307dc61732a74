use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found(e: &mut HttpError) -> String {
        e.to_string()
    }
}

fn main() {}
