//! The error surface of the macros: every `fail/` case pins its diagnostics, every `pass/` case compiles.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/fail/*.rs");
}
