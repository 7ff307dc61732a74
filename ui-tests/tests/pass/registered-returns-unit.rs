//! A registered function is checked through its type, and stable Rust cannot exclude `()` from the responses
//! a blanket `IntoResponse` bound accepts: `404 => log_only;` compiles and answers the error's status with an
//! empty body. A declared handler returning `()` is rejected (`fail/handler-returns-unit.rs`).

use errorhandler::{errorhandler, HttpError};

fn log_only(error: &HttpError) {
    eprintln!("{error}");
}

errorhandler! {
    pub struct SiteErrors;

    404 => log_only;
}

fn main() {
    let _ = SiteErrors::layer();
}
