//! Detection rules, loaded from TOML in `patterns/` (embedded in the binary).
pub struct RuleSet {}
