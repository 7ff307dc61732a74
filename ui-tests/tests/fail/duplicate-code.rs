use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found() -> &'static str {
        "not found"
    }

    404 => also_not_found;
}

fn also_not_found() -> &'static str {
    "not found either"
}

fn main() {}
