use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(600)]
    fn handler() -> &'static str {
        "?"
    }
}

fn main() {}
