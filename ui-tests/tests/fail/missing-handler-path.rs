use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    410 => gone;
}

fn main() {}
