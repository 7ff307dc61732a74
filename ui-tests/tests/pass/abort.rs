//! `abort!` with a code, a description, and a formatted description.
#![deny(warnings, unused_qualifications, non_snake_case)]

use errorhandler::{abort, HttpError};

fn main() {
    let name = "brie";
    let errors: [HttpError; 5] = [
        abort!(404),
        abort!(404,),
        abort!(410, "deleted for all eternity"),
        abort!(404, "no cheese called {}", name),
        abort!(599, "no cheese called {name}"),
    ];
    assert_eq!(errors[3].to_string(), "404 Not Found: no cheese called brie");
    assert_eq!(errors[4].description(), "no cheese called brie");
}
