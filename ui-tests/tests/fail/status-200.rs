use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(200)]
    fn ok() -> &'static str {
        "ok"
    }
}

fn main() {}
