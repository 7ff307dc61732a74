use errorhandler::errorhandler;

pub struct NotCallbacks;

errorhandler! {
    pub struct SiteErrors;

    session => NotCallbacks;
}

fn main() {}
