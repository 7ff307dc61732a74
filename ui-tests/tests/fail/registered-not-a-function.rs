use errorhandler::errorhandler;

const GONE_PAGE: &str = "gone";

errorhandler! {
    struct SiteErrors;

    410 => GONE_PAGE;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
