use axum::http::Uri;
use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    404 => 42;

    #[errorhandler(500)]
    fn internal(uri: Uri) -> String {
        format!("{uri} failed")
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
