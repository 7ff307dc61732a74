use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(default)]
    fn first() -> &'static str {
        "first"
    }

    default => second;
}

fn second() -> &'static str {
    "second"
}

fn main() {}
