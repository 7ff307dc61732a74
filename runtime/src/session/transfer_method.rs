//! The ways tokens travel: the transfer methods a configuration accepts, and the one a request used.

/// The ways the recipe accepts tokens from clients: SuperTokens' `getTokenTransferMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenTransferMethod {
    /// `HttpOnly` cookies only, as browsers without the SDK use.
    Cookie,
    /// `Authorization: Bearer` requests and `st-access-token` / `st-refresh-token` responses only, as mobile and
    /// native clients use.
    Header,
    /// Either, the default: a token in `Authorization: Bearer` is preferred to a cookie, and a new session
    /// follows the request's `st-auth-mode` (cookies when it says nothing).
    #[default]
    Any,
}

/// The transfer method one request used, which its response answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    Cookie,
    Header,
}

impl TokenTransferMethod {
    pub(crate) fn accepts(self, transfer: Transfer) -> bool {
        matches!(
            (self, transfer),
            (Self::Any, _) | (Self::Cookie, Transfer::Cookie) | (Self::Header, Transfer::Header)
        )
    }
}
