use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    0x194 => not_found;
}

fn not_found() -> &'static str {
    "not found"
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
