//! Routers of the runnable examples; `cargo run --example <name>` serves them and the tests call them.

pub mod custom_error_pages;
pub mod observability;
pub mod session_errors;
