use errorhandler::errorhandler;

#[derive(Debug, thiserror::Error)]
#[error("no {0:?}")]
struct Missing<T: std::fmt::Debug>(T);

errorhandler! {
    struct SiteErrors;

    #[errorhandler(Missing)]
    fn missing(error: &Missing<String>) -> String {
        error.to_string()
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
