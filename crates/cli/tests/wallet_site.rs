//! `passport wallet-site` builds the staff wallet as a static folder: every file the page and
//! the service worker name is there, the NHS.UK CSS names its images inside the folder, and
//! `config.json` pins the registry key given (a private key is refused).
#![allow(clippy::unwrap_used)]
use passport_jose::{Es256Signer, Signer};
use std::path::Path;
use std::process::Command;

fn build(out: &Path, jwk: &Path, url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["wallet-site", "--out"])
        .arg(out)
        .arg("--registry-jwk")
        .arg(jwk)
        .args(["--trust-list-url", url])
        .output()
        .unwrap()
}

/// The values of `attr="..."` in `text`.
fn attrs<'a>(text: &'a str, attr: &str) -> Vec<&'a str> {
    let open = format!("{attr}=\"");
    text.split(open.as_str())
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

#[test]
fn wallet_site_writes_every_file_the_page_and_worker_name_with_the_registry_key() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, _) = Es256Signer::generate().unwrap();
    let jwk_file = dir.path().join("registry.jwk");
    std::fs::write(
        &jwk_file,
        serde_json::to_string_pretty(signer.public_jwk()).unwrap(),
    )
    .unwrap();
    let site = dir.path().join("site");
    let url = "https://passport.example.nhs.uk/trust-list";
    let out = build(&site, &jwk_file, url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("files of the staff wallet"));

    // The page's stylesheets, scripts, icons and manifest.
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let mut named: Vec<String> = attrs(&index, "href")
        .into_iter()
        .chain(attrs(&index, "src"))
        .filter(|r| !r.starts_with('#') && !r.starts_with("./") && !r.contains("//"))
        .map(str::to_string)
        .collect();
    assert!(named.iter().any(|n| n == "app.js") && named.iter().any(|n| n == "wallet.css"));
    // The manifest's icons.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("manifest.webmanifest")).unwrap())
            .unwrap();
    for icon in manifest["icons"].as_array().unwrap() {
        named.push(icon["src"].as_str().unwrap().to_string());
    }
    // The service worker's cache list: every entry relative to the folder, no server paths.
    let sw = std::fs::read_to_string(site.join("sw.js")).unwrap();
    assert!(!sw.contains("__WALLET_VERSION__"));
    let start = sw.find("const FILES = [").unwrap() + "const FILES = ".len();
    let end = start + sw[start..].find(']').unwrap() + 1;
    let cached: Vec<String> = serde_json::from_str(&sw[start..end]).unwrap();
    assert!(cached.len() > 20, "{cached:?}");
    named.extend(cached.into_iter().filter(|f| f != "./"));
    // The modules the scripts import.
    for entry in walk(&site) {
        if entry.extension().is_some_and(|e| e == "js") && !entry.ends_with("sw.js") {
            let text = std::fs::read_to_string(&entry).unwrap();
            let rel = entry.strip_prefix(&site).unwrap();
            let folder = rel.parent().unwrap().to_string_lossy().to_string();
            for part in text.split(" from './").skip(1) {
                let target = &part[..part.find('\'').unwrap()];
                named.push(if folder.is_empty() {
                    target.to_string()
                } else {
                    format!("{folder}/{target}")
                });
            }
        }
    }
    // The CSS's images.
    let css = std::fs::read_to_string(site.join("nhsuk-frontend.min.css")).unwrap();
    assert!(
        !css.contains("/portal/"),
        "the CSS still points at the server"
    );
    for part in css.split("url(").skip(1) {
        let target = part[..part.find(')').unwrap()].trim_matches(['"', '\'']);
        if !target.starts_with("data:") {
            named.push(target.to_string());
        }
    }
    for name in &named {
        assert!(
            !name.starts_with('/'),
            "{name} is absolute: breaks on a sub-path"
        );
        assert!(site.join(name).is_file(), "{name} is named but not written");
    }

    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        config["registry_jwk"],
        serde_json::to_value(signer.public_jwk()).unwrap()
    );
    assert_eq!(config["trust_list_url"], url);
    assert!(config["type_metadata"].as_object().unwrap().len() > 5);

    // A private key, or a plain-http trust list elsewhere, is refused and writes nothing.
    let private = dir.path().join("private.jwk");
    let mut with_d = serde_json::to_value(signer.public_jwk()).unwrap();
    with_d["d"] = "AAAA".into();
    std::fs::write(&private, with_d.to_string()).unwrap();
    let other = dir.path().join("refused");
    let out = build(&other, &private, url);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("private key"));
    let out = build(&other, &jwk_file, "http://passport.example/trust-list");
    assert!(!out.status.success());
    assert!(!other.exists());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
