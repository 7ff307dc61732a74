use axum::Json;
use errorhandler::{errorhandler, handler, HttpError};


#[handler(404)]
async fn not_found(e: &HttpError, Json(body): Json<serde_json::Value>) -> String {
    format!("{e}: {body}")
}

errorhandler! {
    struct SiteErrors;

    not_found;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
