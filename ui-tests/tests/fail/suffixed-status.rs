use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404u16)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {}
