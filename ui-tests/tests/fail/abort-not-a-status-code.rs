use errorhandler::{abort, HttpError};

fn main() {
    let _nonsense: HttpError = abort!(1000);
}
