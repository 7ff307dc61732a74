use axum::http::StatusCode;
use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    StatusCode::GONE => gone;
}

fn gone() -> (StatusCode, &'static str) {
    (StatusCode::GONE, "gone")
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
