//! Without the `session` feature (`cargo test -p errorhandler --no-default-features`), `session =>` is a compile
//! error that says to enable the feature. With the feature on, as in `cargo test --workspace`, there is nothing
//! to test here: the UI tests of `ui-tests/` cover `session =>`.
#![cfg(not(feature = "session"))]

#[test]
fn a_session_key_says_to_enable_the_feature() {
    trybuild::TestCases::new().compile_fail("tests/without-session/*.rs");
}
