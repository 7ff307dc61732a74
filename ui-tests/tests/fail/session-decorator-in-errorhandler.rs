use errorhandler::errorhandler;

errorhandler! {
    pub struct SiteErrors;

    #[errorhandler(session)]
    fn on_unauthorised(message: &str) -> String {
        message.to_owned()
    }
}

fn main() {}
