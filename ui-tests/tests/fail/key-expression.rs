use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(400 + 4)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {}
