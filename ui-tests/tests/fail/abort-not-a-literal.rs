use errorhandler::{abort, HttpError};

fn main() {
    let code = 404;
    let _e: HttpError = abort!(code, "not found");
}
