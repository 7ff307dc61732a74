use errorhandler::errorhandler;

mod a {
    use errorhandler::handler;

    #[derive(Debug, thiserror::Error)]
    #[error("a failed")]
    pub struct Error;

    #[handler(Error)]
    pub fn first(e: &Error) -> String {
        e.to_string()
    }

    #[handler(Error)]
    pub fn second(e: &Error) -> String {
        e.to_string()
    }
}

errorhandler! {
    struct SiteErrors;

    a::first;
    a::second;
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
