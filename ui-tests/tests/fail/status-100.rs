use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    100 => keep_going;
}

fn keep_going() -> &'static str {
    "continue"
}

fn main() {}
