use errorhandler::{abort, HttpError};

fn main() {
    let _e: HttpError = abort!(0x194);
}
