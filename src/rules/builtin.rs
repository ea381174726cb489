//! The built-in rule catalogue: every file of `patterns/`, embedded in the binary.
//!
//! This is the one list to edit when a pattern file is added or removed.

/// `(origin name, TOML text)` of every built-in rule file. The file stem is the group.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    // identity providers and single sign-on
    ("okta.toml", include_str!("../../patterns/okta.toml")),
    (
        "microsoft.toml",
        include_str!("../../patterns/microsoft.toml"),
    ),
    ("google.toml", include_str!("../../patterns/google.toml")),
    (
        "atlassian.toml",
        include_str!("../../patterns/atlassian.toml"),
    ),
    (
        "salesforce.toml",
        include_str!("../../patterns/salesforce.toml"),
    ),
    (
        "cloudflare.toml",
        include_str!("../../patterns/cloudflare.toml"),
    ),
    ("saml.toml", include_str!("../../patterns/saml.toml")),
    // clouds
    ("aws.toml", include_str!("../../patterns/aws.toml")),
    ("azure.toml", include_str!("../../patterns/azure.toml")),
    ("gcp.toml", include_str!("../../patterns/gcp.toml")),
    (
        "digitalocean.toml",
        include_str!("../../patterns/digitalocean.toml"),
    ),
    // source hosting, CI and package registries
    ("github.toml", include_str!("../../patterns/github.toml")),
    ("gitlab.toml", include_str!("../../patterns/gitlab.toml")),
    ("npm.toml", include_str!("../../patterns/npm.toml")),
    ("pypi.toml", include_str!("../../patterns/pypi.toml")),
    (
        "registries.toml",
        include_str!("../../patterns/registries.toml"),
    ),
    ("docker.toml", include_str!("../../patterns/docker.toml")),
    // SaaS APIs
    ("slack.toml", include_str!("../../patterns/slack.toml")),
    ("stripe.toml", include_str!("../../patterns/stripe.toml")),
    ("twilio.toml", include_str!("../../patterns/twilio.toml")),
    (
        "sendgrid.toml",
        include_str!("../../patterns/sendgrid.toml"),
    ),
    ("mail.toml", include_str!("../../patterns/mail.toml")),
    ("ai.toml", include_str!("../../patterns/ai.toml")),
    (
        "devtools.toml",
        include_str!("../../patterns/devtools.toml"),
    ),
    (
        "commerce.toml",
        include_str!("../../patterns/commerce.toml"),
    ),
    ("chat.toml", include_str!("../../patterns/chat.toml")),
    // self-identifying formats added for provider coverage (issue 12)
    ("llm.toml", include_str!("../../patterns/llm.toml")),
    ("cloud.toml", include_str!("../../patterns/cloud.toml")),
    (
        "platforms.toml",
        include_str!("../../patterns/platforms.toml"),
    ),
    ("saas.toml", include_str!("../../patterns/saas.toml")),
    // provider-independent shapes; keep last
    ("generic.toml", include_str!("../../patterns/generic.toml")),
];

#[cfg(test)]
mod tests {
    use super::SOURCES;

    /// Every rule file in `patterns/` is embedded, once, with its current text; nothing
    /// else is. (`names.toml` holds the name model's word lists, embedded by
    /// `rules::names`, not rules.)
    #[test]
    fn embedded_rules_equal_the_pattern_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
        let mut on_disk: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .filter(|n| n != "names.toml")
            .map(|n| {
                let text = std::fs::read_to_string(dir.join(&n)).unwrap();
                (n, text)
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<(String, String)> = SOURCES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        embedded.sort();
        let names = |v: &[(String, String)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&embedded), names(&on_disk));
        assert_eq!(embedded, on_disk);
    }
}
