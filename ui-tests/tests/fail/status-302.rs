use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    302 => found;
}

fn found() -> &'static str {
    "found"
}

fn main() {}
