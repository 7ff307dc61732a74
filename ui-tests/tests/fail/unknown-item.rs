use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    struct Extra;
}

fn main() {}
