//! Two deployments joined only by the trust list: the issuing trust (RHQ, with NHS England X24)
//! runs as one `passport serve` process on SQLite, the receiving trust (R0A) as another on
//! PostgreSQL. A registry signs one trust list naming both; each node is configured with that
//! file and the registry's public key. Everything else crosses as a person would do it: imports
//! with `passport import`, HR in each portal over HTTP, the holder with `passport wallet`.
#![allow(clippy::unwrap_used)]
use passport_server::demo::amara;

use passport_jose::{Es256Signer, Signer};
use passport_keystore::{KdfParams, KeyStore};
use passport_server::orgs::{self, OrgConfig};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

const KEYSTORE_PASS: &str = "two-server test passphrase, synthetic";
const USER_PASS: &str = "a synthetic test password";
const WALLET_PASS: &str = "a synthetic wallet passphrase";

struct Node {
    dir: tempfile::TempDir,
    base: String,
    child: Option<Child>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Node {
    fn config(&self) -> PathBuf {
        self.dir.path().join("passport.toml")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn passport(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passport"));
    c.args(args)
        .env("PASSPORT_KEYSTORE_PASSPHRASE", KEYSTORE_PASS)
        .env("PASSPORT_USER_PASSWORD", USER_PASS)
        .env("PASSPORT_WALLET_PASSPHRASE", WALLET_PASS)
        .env_remove("PASSPORT_DATABASE_URL")
        .env_remove("PASSPORT_CONFIG");
    c
}

fn run(args: &[&str]) -> String {
    let out = passport(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "passport {args:?}\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Makes a node's folder, its key store with one key per organisation, and returns the node
/// with the trust list entries of its organisations.
fn prepare(orgs: &[OrgConfig]) -> (Node, Vec<passport_trust_list::Organisation>) {
    let dir = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}", free_port());
    let mut keys = KeyStore::open_or_create(
        &dir.path().join("issuers.keystore"),
        KEYSTORE_PASS.as_bytes(),
        KdfParams::default(),
    )
    .unwrap();
    let mut entries = Vec::new();
    for conf in orgs {
        let signer = keys.signer_or_generate(&conf.ods_code, 1).unwrap();
        entries.push(orgs::entry(&base, conf, conf.org_kind().unwrap(), &signer));
    }
    (
        Node {
            dir,
            base,
            child: None,
        },
        entries,
    )
}

fn write_config(node: &Node, orgs: &[OrgConfig], database: Option<&str>, shared: &Path) {
    let mut toml = format!(
        "bind = \"{bind}\"\npublic_url = \"{base}\"\ndata_dir = \"{dir}\"\nsecure_cookies = false\n\
         trust_list_file = \"{list}\"\nregistry_jwk_file = \"{jwk}\"\n",
        bind = node.base.trim_start_matches("http://"),
        base = node.base,
        dir = node.dir.path().display(),
        list = shared.join("trust-list.jwt").display(),
        jwk = shared.join("registry.jwk").display(),
    );
    if let Some(url) = database {
        toml.push_str(&format!("database_url = \"{url}\"\n"));
    }
    #[derive(serde::Serialize)]
    struct Orgs<'a> {
        organisations: &'a [OrgConfig],
    }
    toml.push('\n');
    toml.push_str(
        &toml::to_string(&Orgs {
            organisations: orgs,
        })
        .unwrap(),
    );
    std::fs::write(node.config(), toml).unwrap();
}

async fn start(node: &mut Node) {
    let config = node.config();
    let child = passport(&["serve", "--config", config.to_str().unwrap()])
        .spawn()
        .unwrap();
    node.child = Some(child);
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{}/health", node.base)).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} did not start", node.base);
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &html[from..from + html[from..].find(end).unwrap()]
}

fn csrf(html: &str) -> String {
    between(html, r#"name="csrf" value=""#, "\"").to_string()
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x3D;", "=")
        .replace("&#61;", "=")
}

async fn sign_in(base: &str, username: &str) -> (reqwest::Client, String) {
    let c = client();
    let form = c
        .get(format!("{base}/portal/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(format!("{base}/portal/login"))
        .form(&[
            ("csrf", csrf(&form).as_str()),
            ("username", username),
            ("password", USER_PASS),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign in {username}");
    let home = c
        .get(format!("{base}/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf(&home);
    (c, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_and_receiving_trusts_on_two_servers_share_only_the_trust_list() {
    // The synthetic organisations of the demo, split over two nodes.
    let demo = orgs::demo_orgs();
    let pick = |codes: &[&str]| -> Vec<OrgConfig> {
        demo.iter()
            .filter(|o| codes.contains(&o.ods_code.as_str()))
            .cloned()
            .collect()
    };
    let issuing = pick(&["RHQ", "X24"]);
    let receiving = pick(&["R0A"]);
    let (mut a, mut entries) = prepare(&issuing);
    let (mut b, b_entries) = prepare(&receiving);
    entries.extend(b_entries);

    // The registry signs one list of both nodes' organisations.
    let shared = tempfile::tempdir().unwrap();
    let (registry, _) = Es256Signer::generate().unwrap();
    let now = passport_server::now();
    let list = passport_trust_list::TrustList::new(1, now, now + 86_400, entries);
    std::fs::write(
        shared.path().join("trust-list.jwt"),
        list.sign(&registry).unwrap(),
    )
    .unwrap();
    std::fs::write(
        shared.path().join("registry.jwk"),
        serde_json::to_string(registry.public_jwk()).unwrap(),
    )
    .unwrap();

    let pg = passport_store::testing::postgres().await.unwrap();
    write_config(&a, &issuing, None, shared.path());
    write_config(&b, &receiving, Some(&pg.url), shared.path());
    start(&mut a).await;
    start(&mut b).await;
    let (a_conf, b_conf) = (a.config(), b.config());
    let (a_conf, b_conf) = (a_conf.to_str().unwrap(), b_conf.to_str().unwrap());
    run(&[
        "user",
        "add",
        "--config",
        a_conf,
        "--org",
        "RHQ",
        "--username",
        "rhq.hr",
        "--name",
        "RHQ HR",
        "--role",
        "hr",
    ]);
    run(&[
        "user",
        "add",
        "--config",
        a_conf,
        "--org",
        "X24",
        "--username",
        "x24.hr",
        "--name",
        "NHSE HR",
        "--role",
        "hr",
    ]);
    run(&[
        "user",
        "add",
        "--config",
        b_conf,
        "--org",
        "R0A",
        "--username",
        "r0a.hr",
        "--name",
        "R0A HR",
        "--role",
        "hr",
    ]);

    // The issuing trust imports Amara's records; NHS England her placement at R0A.
    let files = tempfile::tempdir().unwrap();
    for (org, kind, text) in [
        ("RHQ", "esr-staff", amara::staff_csv()),
        ("RHQ", "esr-competences", amara::competences_csv()),
        ("RHQ", "oh", amara::oh_csv()),
        ("RHQ", "dsp-json", amara::dsp_json()),
        ("X24", "tis", amara::tis_csv()),
    ] {
        let path = files.path().join(format!("{org}-{kind}"));
        std::fs::write(&path, text).unwrap();
        run(&[
            "import",
            "--config",
            a_conf,
            "--org",
            org,
            "--kind",
            kind,
            path.to_str().unwrap(),
        ]);
    }

    // RHQ HR offers; the holder receives with `passport wallet receive`.
    let wallet = files.path().join("wallet.json");
    let wallet = wallet.to_str().unwrap();
    for (user, search) in [("rhq.hr", "10000101"), ("x24.hr", "9100001")] {
        let (c, token) = sign_in(&a.base, user).await;
        let found = c
            .get(format!("{}/portal/staff?q={search}", a.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let person = between(&found, "href=\"/portal/staff/", "\"").to_string();
        let offer = c
            .post(format!("{}/portal/staff/{person}/offers", a.base))
            .form(&[("csrf", token.as_str())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let link = unescape(between(&offer, r#"id="offer-link">"#, "<"));
        let tx = between(&offer, r#"id="tx-code">"#, "<").to_string();
        let received = run(&[
            "wallet",
            "receive",
            &link,
            "--tx-code",
            &tx,
            "--wallet",
            wallet,
        ]);
        assert!(received.contains("received"), "{received}");
    }

    // R0A HR asks for a foundation doctor post; the holder answers with `passport wallet present`.
    let (c, token) = sign_in(&b.base, "r0a.hr").await;
    let (start_date, end_date) = amara::placement();
    let created = c
        .post(format!("{}/portal/transfers", b.base))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Amara Okafor"),
            ("email", "amara.okafor@nhs.example"),
            ("registration", "9100001"),
            ("profile", "foundation-doctor-medicine"),
            ("start", &start_date.to_string()),
            ("end", &end_date.to_string()),
            ("kind", "rotation"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let page_path = created.headers()["location"].to_str().unwrap().to_string();
    let page = c
        .get(format!("{}{page_path}", b.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let request_link = unescape(between(&page, r#"id="request-link">"#, "<"));
    assert!(request_link.starts_with("openid4vp://"), "{request_link}");
    let registry_jwk = shared.path().join("registry.jwk");
    let presented = run(&[
        "wallet",
        "present",
        &request_link,
        "--registry-jwk",
        registry_jwk.to_str().unwrap(),
        "--yes",
        "--wallet",
        wallet,
    ]);
    assert!(presented.contains("shared"), "{presented}");

    // R0A's report: verified across the two deployments, status lists fetched from RHQ.
    let report: serde_json::Value = c
        .get(format!("{}{page_path}/report.json", b.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let presented = report["presented"].as_array().unwrap();
    assert!(!presented.is_empty());
    assert!(
        presented.iter().all(|p| p["accepted"] == true),
        "{report:#}"
    );
    let status = |key: &str| {
        report["report"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == key)
            .map(|l| l["status"]["kind"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    for key in [
        "identity",
        "right_to_work",
        "employment",
        "occupational_health",
        "training_programme",
        "cstf_conflict_resolution_l1",
    ] {
        assert_eq!(status(key), "met", "{key}: {report:#}");
    }
    assert_eq!(status("training_placement"), "met", "{report:#}");
    assert_eq!(status("cstf_fire_safety_l1"), "expires_during_placement");
    assert_eq!(status("dbs"), "not_portable");
    assert_eq!(status("professional_registration"), "not_portable");
    assert_eq!(status("cstf_safeguarding_children_l2"), "missing");
    let csv = c
        .get(format!("{}{page_path}/report.csv", b.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("requirement,status,date,issuer_ods,detail"),
        "{csv}"
    );
}
