use errorhandler::errorhandler;

const NOT_FOUND: u16 = 404;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(NOT_FOUND)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
    let _ = NOT_FOUND;
}
