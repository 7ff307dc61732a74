use errorhandler::errorhandler;

errorhandler! {
    #[errorhandler(404)]
    fn not_found() -> &'static str {
        "not found"
    }
}

fn main() {}
