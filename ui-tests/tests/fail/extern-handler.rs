use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    extern "C" fn not_found() -> u16 {
        404
    }
}

fn main() {}
