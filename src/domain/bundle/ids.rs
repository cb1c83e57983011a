//! Bundle and task ids become folder and file names in the worker's workspace
//! (`<data>/work/<bundle-id>/annotations/<task-id>.json`), so they are held to a charset that is a safe
//! file name on every desktop system.

/// The longest id accepted.
pub const MAX_ID_LEN: usize = 128;

/// Names Windows reserves for devices whatever the extension (`con.json` cannot be created there).
const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// True for the characters an id may use: `A-Z a-z 0-9 . _ -`.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Why `id` cannot be used as an id, or `None` when it can.
pub fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("is empty".to_owned());
    }
    if let Some(bad) = id.chars().find(|c| !is_id_char(*c)) {
        return Some(format!(
            "contains {bad:?}; ids may use only letters A-Z and a-z, digits, `.`, `_` and `-`"
        ));
    }
    if id.len() > MAX_ID_LEN {
        return Some(format!(
            "is {} characters long; the limit is {MAX_ID_LEN}",
            id.len()
        ));
    }
    if id.starts_with('.') {
        return Some("starts with `.`, which makes a hidden file".to_owned());
    }
    if id.ends_with('.') {
        return Some("ends with `.`, which Windows drops from file names".to_owned());
    }
    if is_windows_device(id) {
        return Some("is a device name on Windows and cannot be a file name there".to_owned());
    }
    None
}

fn is_windows_device(id: &str) -> bool {
    let stem = id.split('.').next().unwrap_or(id).to_ascii_lowercase();
    WINDOWS_DEVICES.contains(&stem.as_str())
}

/// Turns any name into a valid id: other characters become `_`, leading dots go, the length is capped.
pub fn sanitize_id(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| if is_id_char(c) { c } else { '_' })
        .collect();
    let mut id: String = mapped
        .trim_start_matches('.')
        .chars()
        .take(MAX_ID_LEN)
        .collect();
    while id.ends_with('.') {
        id.pop();
    }
    if id.is_empty() {
        return "task".to_owned();
    }
    if is_windows_device(&id) {
        id.insert(0, '_');
        id.truncate(MAX_ID_LEN);
    }
    id
}

/// A readable lowercase slug of a name for use in an id: `My Photos!` gives `my-photos`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // Leave room for the `-<8 hex>` suffix added to folder ids.
    slug.truncate(64);
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "bundle".to_owned()
    } else {
        slug.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_plain_ids() {
        for id in ["a", "img_001.jpg", "Task-7", "x".repeat(128).as_str()] {
            assert_eq!(id_problem(id), None, "{id}");
        }
    }

    #[test]
    fn rejects_unsafe_ids() {
        for id in [
            "",
            ".hidden",
            "a/b",
            "..",
            "a b",
            "é",
            "x.",
            "CON",
            "nul.txt",
            "x".repeat(129).as_str(),
        ] {
            assert!(id_problem(id).is_some(), "{id:?} should be refused");
        }
    }

    #[test]
    fn sanitizes_file_names() {
        assert_eq!(sanitize_id("my photo (1).jpg"), "my_photo__1_.jpg");
        assert_eq!(sanitize_id(".hidden.png"), "hidden.png");
        assert_eq!(sanitize_id("..."), "task");
        assert_eq!(sanitize_id("aux.png"), "_aux.png");
    }

    #[test]
    fn slugs_are_lowercase_words() {
        assert_eq!(slugify("My Photos!"), "my-photos");
        assert_eq!(slugify("  --  "), "bundle");
        assert_eq!(slugify("Été 2024"), "t-2024");
    }

    proptest! {
        #[test]
        fn sanitized_ids_are_valid(name in "\\PC{0,200}") {
            let id = sanitize_id(&name);
            prop_assert_eq!(id_problem(&id), None, "{:?} -> {:?}", name, id);
        }

        #[test]
        fn slugs_make_valid_ids(name in "\\PC{0,200}") {
            // A slug is always followed by `-<8 hex>` in a folder's id.
            let id = format!("{}-0123abcd", slugify(&name));
            prop_assert_eq!(id_problem(&id), None, "{:?} -> {:?}", name, id);
        }
    }
}
