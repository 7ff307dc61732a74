use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(4.04)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {}
