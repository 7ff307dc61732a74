use errorhandler::{errorhandler, handler};


#[handler(404)]
fn not_found<T: Default + ToString>() -> String {
    T::default().to_string()
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
