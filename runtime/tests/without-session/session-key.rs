use errorhandler::errorhandler;

pub struct AuthErrors;

errorhandler! {
    pub struct SiteErrors;

    session => AuthErrors;
}

fn main() {
    let _ = AuthErrors;
}
