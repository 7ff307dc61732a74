use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found<T: Default>() -> &'static str {
        "not found"
    }
}

fn main() {}
