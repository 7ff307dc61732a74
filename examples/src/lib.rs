//! Routers of the runnable examples, shared with the tests.
