use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(99)]
    fn handler() -> &'static str {
        "?"
    }
}

fn main() {}
