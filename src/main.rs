fn main() {
    std::process::exit(harscrub::cli_main());
}
