use errorhandler::errorhandler;

errorhandler! {
    struct SiteErrors;

    404 => ;
}

fn main() {}
