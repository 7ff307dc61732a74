use errorhandler::errorhandler;

#[derive(Clone)]
pub struct AppState;

errorhandler! {
    #[errorhandler(state AppState)]
    pub struct SiteErrors;

    404 => not_found;
}

fn not_found() -> &'static str {
    "not found"
}

fn main() {}
