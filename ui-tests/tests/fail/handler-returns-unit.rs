use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(500)]
    fn log_only(error: &HttpError) {
        eprintln!("{error}");
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
