//! How `#[errorhandler::status]` registers a type, so that `?` into `Error` finds its declaration.

use std::any::TypeId;
use std::error::Error as StdError;

use crate::error_status::{ErrorStatus, find};

/// Implemented by `#[errorhandler::status]` beside the registration that lets `?` find the type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` implements `ErrorStatus` without `#[errorhandler::status]`",
    label = "`?` into `errorhandler::Error` would not find this declaration",
    note = "mark the block: `#[errorhandler::status] impl ErrorStatus for {Self} {{ ... }}`"
)]
pub trait Declared {}

/// One declared type, registered by `#[errorhandler::status]`.
pub struct Declaration {
    pub(crate) type_id: fn() -> TypeId,
    type_name: fn() -> &'static str,
    find: for<'a> fn(&'a (dyn StdError + 'static)) -> Option<&'a dyn ErrorStatus>,
}

impl Declaration {
    /// The declaration of `E`.
    pub const fn of<E: ErrorStatus>() -> Self {
        Self {
            type_id: TypeId::of::<E>,
            type_name: std::any::type_name::<E>,
            find: find::<E>,
        }
    }

    /// The declared type's name, as `std::any::type_name` writes it.
    pub(crate) fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    /// `error` as the declared type, if it is that type.
    pub(crate) fn find<'a>(
        &self,
        error: &'a (dyn StdError + 'static),
    ) -> Option<&'a dyn ErrorStatus> {
        (self.find)(error)
    }
}
