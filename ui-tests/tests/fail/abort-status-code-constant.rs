use axum::http::StatusCode;
use errorhandler::{abort, HttpError};

fn main() {
    let _e: HttpError = abort!(StatusCode::NOT_FOUND, "no such page");
}
