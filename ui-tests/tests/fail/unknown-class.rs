use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(3xx)]
    fn redirects() -> &'static str {
        "?"
    }
}

fn main() {}
