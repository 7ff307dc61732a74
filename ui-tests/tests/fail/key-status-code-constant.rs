use axum::http::StatusCode;
use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(StatusCode::NOT_FOUND)]
    fn not_found() -> (StatusCode, &'static str) {
        (StatusCode::NOT_FOUND, "not found")
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
