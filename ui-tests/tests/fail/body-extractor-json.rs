use axum::Json;
use errorhandler::{errorhandler, HttpError};

errorhandler! {
    struct SiteErrors;

    #[errorhandler(400)]
    fn bad_request(_e: &HttpError, Json(body): Json<serde_json::Value>) -> String {
        body.to_string()
    }
}

fn main() {}
