//! Flask's "Custom Error Pages", in axum: a 404 page rendered from a Jinja template with a link back to the
//! index, a 403 for a forbidden resource, a 410 for a deleted one, a 500 page for a crash, and a JSON API
//! whose 404 answers `{"error": "404 Not Found: Resource not found"}` as `jsonify(error=str(e))` does.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use errorhandler::{Error, HttpError, abort, errorhandler, handler};
use minijinja::{Environment, context};
use serde_json::{Value, json};

/// The site's templates, loaded once.
#[derive(Clone)]
pub struct Pages {
    templates: Arc<Environment<'static>>,
}

/// A template that failed to render: a bug of the site, answered by the 500 page.
#[derive(Debug, thiserror::Error)]
#[error("template {name} failed to render")]
pub struct TemplateError {
    name: &'static str,
    #[source]
    source: minijinja::Error,
}

impl Pages {
    /// The templates of `examples/templates`, embedded in the binary.
    pub fn load() -> Self {
        let mut templates = Environment::new();
        for (name, source) in [
            ("layout.html", include_str!("../templates/layout.html")),
            ("index.html", include_str!("../templates/index.html")),
            ("cheese.html", include_str!("../templates/cheese.html")),
            ("404.html", include_str!("../templates/404.html")),
            ("403.html", include_str!("../templates/403.html")),
            ("410.html", include_str!("../templates/410.html")),
            ("500.html", include_str!("../templates/500.html")),
        ] {
            templates
                .add_template(name, source)
                .unwrap_or_else(|error| panic!("template {name} does not parse: {error}"));
        }
        templates.add_function("url_for", url_for);
        Self {
            templates: Arc::new(templates),
        }
    }

    /// Renders the template `name`.
    pub fn render(
        &self,
        name: &'static str,
        values: minijinja::Value,
    ) -> Result<Html<String>, TemplateError> {
        self.templates
            .get_template(name)
            .and_then(|template| template.render(values))
            .map(Html)
            .map_err(|source| TemplateError { name, source })
    }

    /// Renders an error page; if the page itself fails, the plain text keeps the error readable.
    fn error_page(&self, name: &'static str, description: &str) -> Html<String> {
        self.render(name, context! { description })
            .unwrap_or_else(|error| Html(error.to_string()))
    }
}

/// Flask's `url_for`, for the endpoints the templates link to; its URLs are safe to put in an attribute.
fn url_for(endpoint: &str) -> Result<minijinja::Value, minijinja::Error> {
    match endpoint {
        "index" => Ok(minijinja::Value::from_safe_string("/".to_owned())),
        other => Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("no endpoint called {other}"),
        )),
    }
}

#[handler(404)]
fn page_not_found(State(pages): State<Pages>) -> Html<String> {
    pages.error_page("404.html", "")
}

#[handler(403)]
fn forbidden(e: &HttpError, State(pages): State<Pages>) -> Html<String> {
    pages.error_page("403.html", e.description())
}

// The cause (a panic message, a template error) is for the log, where the layer writes it, never for the
// visitor.
#[handler(500)]
fn internal_server_error(State(pages): State<Pages>) -> Html<String> {
    pages.error_page("500.html", "")
}

#[handler(410)]
async fn gone(e: &HttpError, State(pages): State<Pages>) -> Html<String> {
    pages.error_page("410.html", e.description())
}

errorhandler! {
    /// The error pages of the site.
    pub struct SiteErrors;

    page_not_found;
    forbidden;
    internal_server_error;
    gone;
}

#[handler(404)]
fn resource_not_found(e: &HttpError) -> Json<Value> {
    Json(json!({ "error": e.to_string() }))
}

#[handler(5xx)]
fn server_error(e: &HttpError) -> Json<Value> {
    Json(json!({ "error": format!("{} {}", e.status().as_u16(), e.name()) }))
}

errorhandler! {
    /// The errors of the JSON API.
    pub struct ApiErrors;

    resource_not_found;
    server_error;
}

const CHEESES: &[(&str, &str)] = &[
    ("cheddar", "Firm, sharp, from Somerset."),
    ("wensleydale", "Crumbly, slightly sweet, from Yorkshire."),
    ("stilton", "Blue, rich, from Leicestershire."),
];

fn find_cheese(name: &str) -> Option<&'static str> {
    CHEESES
        .iter()
        .find(|(cheese, _)| *cheese == name)
        .map(|(_, description)| *description)
}

async fn index(State(pages): State<Pages>) -> Result<Html<String>, Error> {
    Ok(pages.render("index.html", context! {})?)
}

async fn cheese(
    State(pages): State<Pages>,
    Path(name): Path<String>,
) -> Result<Html<String>, Error> {
    let description = find_cheese(&name).ok_or_else(|| abort!(404))?;
    Ok(pages.render("cheese.html", context! { name, description })?)
}

async fn back_office() -> Result<Html<&'static str>, HttpError> {
    Err(abort!(403, "The back office is for staff only"))
}

async fn old_special(Path(name): Path<String>) -> Result<Html<String>, HttpError> {
    Err(abort!(410, "{name}, deleted for all eternity"))
}

async fn crash() -> Html<&'static str> {
    panic!("the cheese shop crashed (this message stays in the server's log)");
}

async fn api_cheese(Path(name): Path<String>) -> Result<Json<Value>, HttpError> {
    // Flask: `abort(404, description="Resource not found")`
    let description = find_cheese(&name).ok_or_else(|| abort!(404, "Resource not found"))?;
    Ok(Json(json!({ "name": name, "description": description })))
}

async fn api_no_such_endpoint() -> HttpError {
    abort!(404, "No such endpoint")
}

/// The JSON API, with its own error handlers, which also answer for its unknown paths.
pub fn api() -> Router {
    Router::new()
        .route("/cheese/{name}", get(api_cheese))
        .fallback(api_no_such_endpoint)
        .layer(ApiErrors::layer())
}

/// The whole site: pages under `/`, the JSON API under `/api`.
pub fn app() -> Router {
    let pages = Pages::load();
    Router::new()
        .route("/", get(index))
        .route("/cheese/{name}", get(cheese))
        .route("/back-office", get(back_office))
        .route("/specials/{name}", get(old_special))
        .route("/crash", get(crash))
        .with_state(pages.clone())
        .nest("/api", api())
        .layer(SiteErrors::with_state(pages))
}
