use errorhandler::errorhandler;

#[derive(Debug)]
struct NotAnError;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(NotAnError)]
    fn handler(error: &NotAnError) -> String {
        format!("{error:?}")
    }
}

fn main() {}
