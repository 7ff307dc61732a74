use errorhandler::{abort, HttpError};

fn main() {
    let _ok: HttpError = abort!(200, "all good");
    let _redirect: HttpError = abort!(301);
    let _nonsense: HttpError = abort!(1000);
}
