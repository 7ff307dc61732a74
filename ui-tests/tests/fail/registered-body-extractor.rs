use axum::Json;
use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    500 => internal;
}

fn internal(Json(body): Json<serde_json::Value>) -> String {
    body.to_string()
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
