use errorhandler::errorhandler;

struct NotAnError;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(NotAnError)]
    fn handler() -> &'static str {
        "?"
    }
}

fn main() {}
