use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    500 => async |e: &errorhandler::HttpError| axum::response::Html(e.to_string());
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
