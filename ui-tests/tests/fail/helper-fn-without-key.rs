use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    fn helper() -> &'static str {
        "helper"
    }
}

fn main() {}
