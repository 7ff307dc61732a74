use errorhandler::errorhandler;

#[derive(Clone)]
pub struct AppState;

errorhandler! {
    #[errorhandler(sate = AppState)]
    pub struct SiteErrors;

    404 => not_found;
}

fn not_found() -> &'static str {
    "not found"
}

fn main() {
    // The set still exists, so its use adds no error of its own.
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::with_state(AppState));
}
