use errorhandler::{abort, HttpError};

fn main() {
    let _ok: HttpError = abort!(200, "all good");
}
