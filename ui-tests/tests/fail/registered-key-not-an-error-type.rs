use errorhandler::errorhandler;

#[derive(Debug)]
struct NotAnError;

fn describe(error: &NotAnError) -> String {
    format!("{error:?}")
}

errorhandler! {
    struct SiteErrors;

    NotAnError => describe;
}

fn main() {}
