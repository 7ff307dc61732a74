use errorhandler::{abort, HttpError};

fn main() {
    let _redirect: HttpError = abort!(301);
}
