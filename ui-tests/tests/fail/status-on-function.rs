use errorhandler::status;

#[status(404)]
fn not_found() -> u16 {
    404
}

fn main() {
    let _ = not_found();
}
