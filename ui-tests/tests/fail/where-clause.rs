use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    #[errorhandler(404)]
    fn not_found() -> &'static str
    where
        u8: Copy,
    {
        "not found"
    }
}

fn main() {}
