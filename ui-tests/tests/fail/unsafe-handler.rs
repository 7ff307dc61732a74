use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    unsafe fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {}
