//! What a `#[handler]` function tells the sets that name it, beyond its keys.

/// The `S` of a `#[handler]` function's `State<S>` parameter, implemented by the hidden type of the function's
/// name: a set that declares no state takes this one.
pub trait NamedState {
    type State;
}
