fn main() {
    std::process::exit(harscrub::cli::main());
}
