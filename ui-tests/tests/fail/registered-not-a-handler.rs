use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    410 => gone;
}

fn gone(retries: u32) -> String {
    format!("{retries}")
}

fn main() {}
