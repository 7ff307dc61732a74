use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    struct Extra;

    fn helper() -> &'static str {
        "helper"
    }
}

fn main() {}
