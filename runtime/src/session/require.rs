//! A route layer that requires a session, and claims of it, before the route runs.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::Sessions;
use super::claims::ClaimValidator;

/// Requires a session whose access-token payload passes every claim validator, on the routes it wraps.
///
/// Built by [`Sessions::require_session`] and applied with `Router::route_layer`, so that an unknown path
/// stays a 404. A request without a valid session is answered with the session's error (*unauthorised* or
/// *try refresh token*) and one whose claims fail with *invalid claim* listing every failing claim, before
/// the route runs; both reach the handler set's layer like errors the route returned. The verified
/// [`Session`](super::Session) is handed to the route's `Session` extractor without verifying it again.
///
/// ```
/// use axum::{routing::get, Router};
/// use errorhandler::session::{BooleanClaim, RoleClaim, Session, SessionConfig, Sessions};
///
/// async fn admin(session: Session) -> String {
///     format!("hello {}", session.user_id())
/// }
///
/// let sessions = Sessions::new(SessionConfig::builder().build().unwrap());
/// let app: Router = Router::new()
///     .route("/admin", get(admin))
///     .route_layer(
///         sessions
///             .require_session()
///             .with_claim(RoleClaim::new("st-role").includes("admin"))
///             .with_claim(BooleanClaim::new("st-ev")),
///     )
///     .merge(sessions.router())
///     .with_state(sessions);
/// ```
#[derive(Clone)]
pub struct RequireSession {
    sessions: Sessions,
    validators: Arc<Vec<Arc<dyn ClaimValidator>>>,
    check_database: bool,
}

impl RequireSession {
    pub(crate) fn new(sessions: Sessions) -> Self {
        Self {
            sessions,
            validators: Arc::new(Vec::new()),
            check_database: false,
        }
    }

    /// Also requires the claim that `validator` checks.
    pub fn with_claim(mut self, validator: impl ClaimValidator + 'static) -> Self {
        Arc::make_mut(&mut self.validators).push(Arc::new(validator));
        self
    }

    /// Also confirms in the store, on every request, that the session is still live (SuperTokens'
    /// `checkDatabase`): a revoked session is *unauthorised* at its next request instead of when its access token
    /// expires, for one store lookup per request. A failing store answers 503 with `Retry-After`.
    ///
    /// ```
    /// # use axum::{routing::post, Router};
    /// # use errorhandler::session::{SessionConfig, Sessions};
    /// # let sessions = Sessions::new(SessionConfig::builder().build().unwrap());
    /// let app: Router = Router::new()
    ///     .route("/account/delete", post(|| async { "deleted" }))
    ///     .route_layer(sessions.require_session().check_database())
    ///     .with_state(sessions);
    /// ```
    pub fn check_database(mut self) -> Self {
        self.check_database = true;
        self
    }
}

impl std::fmt::Debug for RequireSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self
            .validators
            .iter()
            .map(|validator| validator.id())
            .collect();
        f.debug_struct("RequireSession")
            .field("claims", &ids)
            .field("check_database", &self.check_database)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for RequireSession {
    type Service = RequireSessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireSessionService {
            inner,
            require: self.clone(),
        }
    }
}

/// The service of [`RequireSession`].
#[derive(Clone, Debug)]
pub struct RequireSessionService<S> {
    inner: S,
    require: RequireSession,
}

impl<S> Service<Request<Body>> for RequireSessionService<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The clone that was not polled ready stays behind; the ready one serves this request.
        let clone = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, clone);
        let require = self.require.clone();
        Box::pin(async move {
            let session = match require
                .sessions
                .get_session(request.method(), request.headers())
                .await
            {
                Ok(session) => session,
                Err(error) => return Ok(error.into_response()),
            };
            if require.check_database
                && let Err(failure) = session.check_database().await
            {
                return Ok(failure.into_response());
            }
            let validators = require.validators.iter().map(|validator| &**validator);
            if let Err(error) = session.check_claims(validators) {
                return Ok(error.into_response());
            }
            request.extensions_mut().insert(session);
            ready.call(request).await
        })
    }
}
