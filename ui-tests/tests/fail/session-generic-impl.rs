use std::marker::PhantomData;

use errorhandler::session::session_error_handlers;

pub struct AuthErrors<T>(PhantomData<T>);

#[session_error_handlers]
impl<T> AuthErrors<T> {
    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
