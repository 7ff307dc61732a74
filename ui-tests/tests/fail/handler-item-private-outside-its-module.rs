use errorhandler::errorhandler;

mod pages {
    use errorhandler::{handler, HttpError};

    #[handler(404)]
    fn not_found(e: &HttpError) -> String {
        e.to_string()
    }
}

errorhandler! {
    struct SiteErrors;

    pages::not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
