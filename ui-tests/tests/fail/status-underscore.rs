use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(4_04)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
