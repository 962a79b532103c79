//! The Debian package: `[package.metadata.deb]` in Cargo.toml (cargo-deb), the maintainer
//! scripts in systemd/deb/ (run for real in a sandbox: stub commands on PATH, every absolute
//! path moved under a temporary directory), and, when `.ci/run` built one (`HALLQ_DEB`), the
//! .deb itself through `dpkg-deb`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROLES: [&str; 5] = ["serve", "kiosk", "window", "display", "rate"];
const DEVICE_GROUPS: [&str; 6] = ["dialout", "gpio", "audio", "video", "input", "render"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn manifest() -> toml::Table {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    text.parse().unwrap()
}

fn deb_meta() -> toml::Table {
    manifest()["package"]["metadata"]["deb"]
        .as_table()
        .expect("[package.metadata.deb]")
        .clone()
}

/// (source, dest, mode) of every asset.
fn assets() -> Vec<(String, String, String)> {
    deb_meta()["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_array().expect("assets as [source, dest, mode]");
            let s = |i: usize| a[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2))
        })
        .collect()
}

/// Where an asset lands in the installed system (dest ending in `/` keeps the file name).
fn installed_path(source: &str, dest: &str) -> String {
    let name = Path::new(source).file_name().unwrap().to_str().unwrap();
    if dest.ends_with('/') {
        format!("/{dest}{name}")
    } else {
        format!("/{dest}")
    }
}

fn installed() -> BTreeSet<String> {
    assets()
        .iter()
        .map(|(s, d, _)| installed_path(s, d))
        .collect()
}

fn mode_of(path: &str) -> String {
    assets()
        .into_iter()
        .find(|(s, d, _)| installed_path(s, d) == path)
        .unwrap_or_else(|| panic!("{path} is not in the package"))
        .2
}

fn script_dir() -> PathBuf {
    let dir = deb_meta()["maintainer-scripts"]
        .as_str()
        .unwrap()
        .to_string();
    root().join(dir)
}

fn script(name: &str) -> String {
    std::fs::read_to_string(script_dir().join(name)).unwrap()
}

#[test]
fn metadata_names_the_package_and_its_runtime_libraries() {
    let deb = deb_meta();
    let maintainer = deb["maintainer"].as_str().unwrap();
    assert!(
        maintainer.contains('<') && maintainer.ends_with('>'),
        "{maintainer}"
    );
    // Line tables in /usr/lib/debug, not in a 4× larger binary.
    assert_eq!(deb["separate-debug-symbols"].as_bool(), Some(true));
    assert_eq!(deb["compress-debug-symbols"].as_bool(), Some(true));
    // No Debian revision: the file is hallq_<version>_<arch>.deb.
    assert_eq!(deb["revision"].as_str(), Some(""));
    let depends = deb["depends"].as_str().unwrap();
    for lib in [
        "libc6",
        "libasound2",
        "libfontconfig1",
        "libudev1",
        "passwd",
    ] {
        assert!(depends.contains(lib), "depends lacks {lib}: {depends}");
    }
    assert!(
        !depends.contains("$auto"),
        "explicit depends: the arm64 build cannot run dpkg-shlibdeps"
    );
    // The UI embeds its CJK font: a system one is only recommended.
    let recommends = deb["recommends"].as_str().unwrap();
    assert!(recommends.contains("fonts-"), "{recommends}");
    assert!(!depends.contains("fonts-"), "{depends}");

    // The Pi variant: same package name, the LinuxKMS feature and its libraries.
    let pi = deb["variants"]["pi"].as_table().unwrap();
    assert_eq!(pi["name"].as_str(), Some("hallq"));
    let features: Vec<&str> = pi["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(features, ["kiosk-kms"]);
    assert!(manifest()["features"].get("kiosk-kms").is_some());
    let pi_depends = pi["depends"].as_str().unwrap();
    for lib in depends.split(", ") {
        assert!(pi_depends.contains(lib), "pi lacks {lib}");
    }
    for lib in ["libinput10", "libxkbcommon0", "libgbm1"] {
        assert!(pi_depends.contains(lib), "pi lacks {lib}");
    }
}

#[test]
fn every_asset_exists_and_lands_where_the_units_expect_it() {
    for (source, dest, mode) in assets() {
        assert!(!dest.starts_with('/'), "{dest}: relative to /");
        assert!(
            ["644", "640", "755"].contains(&mode.as_str()),
            "{source}: mode {mode}"
        );
        if source == "target/release/hallq" {
            continue; // built by cargo; cargo-deb maps it to the profile and target in use
        }
        assert!(root().join(&source).is_file(), "asset {source} is missing");
    }
    let files = installed();
    assert!(files.contains("/usr/bin/hallq"));
    assert_eq!(mode_of("/usr/bin/hallq"), "755");
    // Every unit in systemd/, and nothing else there.
    let mut units: Vec<String> = std::fs::read_dir(root().join("systemd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".service"))
        .collect();
    units.sort();
    assert_eq!(units.len(), ROLES.len(), "{units:?}");
    for unit in &units {
        let path = format!("/lib/systemd/system/{unit}");
        assert!(files.contains(&path), "{path} not packaged");
        let text = std::fs::read_to_string(root().join("systemd").join(unit)).unwrap();
        // What the units refer to is what the package installs.
        for line in text.lines() {
            if let Some(exec) = line.strip_prefix("ExecStart=") {
                assert!(exec.starts_with("/usr/bin/hallq "), "{unit}: {line}");
            }
            if let Some(doc) = line.strip_prefix("Documentation=file://") {
                assert!(files.contains(doc), "{unit}: {doc} not packaged");
            }
        }
        assert!(text.contains("StateDirectory=hallq\n"), "{unit}");
        assert!(text.contains("User=hallq\n"), "{unit}");
    }
    let serve = std::fs::read_to_string(root().join("systemd/hallq-serve.service")).unwrap();
    assert!(serve.contains("--config /etc/hallq/hall.toml --data /var/lib/hallq"));
    assert!(files.contains("/lib/udev/rules.d/99-hallq.rules"));
    // Conffiles (dpkg treats everything under /etc as one).
    assert!(files.contains("/etc/hallq/hall.toml"));
    assert_eq!(
        mode_of("/etc/hallq/hall.toml"),
        "640",
        "tokens: not world-readable"
    );
    assert!(files.contains("/etc/default/hallq"));
    let etc: Vec<&String> = files.iter().filter(|f| f.starts_with("/etc/")).collect();
    assert_eq!(etc.len(), 2, "{etc:?}");
    // postinst compares hall.toml with the sample to tell whether serve is configured.
    assert!(files.contains("/usr/share/doc/hallq/examples/hall.example.toml"));
    assert!(script("postinst").contains("/usr/share/doc/hallq/examples/hall.example.toml"));
}

#[test]
fn maintainer_scripts_are_strict_posix_sh() {
    for name in ["postinst", "prerm", "postrm"] {
        let text = script(name);
        assert!(text.starts_with("#!/bin/sh\n"), "{name}: #!/bin/sh");
        assert!(text.lines().any(|l| l.trim() == "set -e"), "{name}: set -e");
        assert!(text.contains("exit 0\n"), "{name}");
        let out = Command::new("sh")
            .arg("-n")
            .arg(script_dir().join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sh -n {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(script_dir().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o111, 0o111, "{name} is executable");
        }
    }
    let default = std::fs::read_to_string(script_dir().join("hallq.default")).unwrap();
    assert!(
        default.lines().any(|l| l == "HALLQ_ROLE=serve"),
        "{default}"
    );
}

// ---- the scripts, run in a sandbox -------------------------------------------------------

/// Absolute paths the scripts touch; each is moved under the sandbox.
const MOVED: [&str; 9] = [
    "/var/lib/hallq",
    "/var/cache/hallq",
    "/etc/default/hallq",
    "/etc/hallq",
    "/usr/share/doc/hallq",
    "/usr/bin/hallq",
    "/run/systemd/system",
    "/run/udev",
    "/usr/sbin/nologin",
];

/// Commands replaced by stubs that log their arguments to `$SANDBOX/log`.
const STUBS: [&str; 10] = [
    "getent",
    "groupadd",
    "useradd",
    "usermod",
    "install",
    "dpkg-statoverride",
    "udevadm",
    "systemctl",
    "deb-systemd-invoke",
    "chown",
];

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let s = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        let bin = s.path("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for name in STUBS {
            // getent: groups and users exist when listed in $EXISTS; systemctl is-active:
            // units listed in $ACTIVE run.
            let body = match name {
                "getent" => "case \" $EXISTS \" in *\" $2 \"*) exit 0;; esac; exit 2",
                "systemctl" => {
                    "if [ \"$1\" = --quiet ] && [ \"$2\" = is-active ]; then\n\
                     case \" $ACTIVE \" in *\" $3 \"*) exit 0;; esac; exit 3; fi"
                }
                "dpkg-statoverride" => {
                    "[ \"$1\" = --list ] && [ -n \"$OVERRIDDEN\" ] && exit 0; [ \"$1\" = --list ] && exit 1"
                }
                _ => "",
            };
            s.write(
                &format!("bin/{name}"),
                &format!("#!/bin/sh\necho \"{name} $*\" >> \"$SANDBOX/log\"\n{body}\nexit 0\n"),
                0o755,
            );
        }
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel.trim_start_matches('/'))
    }

    fn write(&self, rel: &str, text: &str, mode: u32) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }

    /// The script with every absolute path of [`MOVED`] under the sandbox; panics if any
    /// path of the real system is left (a purge must never reach the real /var/lib/hallq).
    fn script(&self, name: &str) -> PathBuf {
        let prefix = self.dir.path().to_str().unwrap();
        let mut text = script(name);
        for path in MOVED {
            text = text.replace(path, &format!("{prefix}{path}"));
        }
        for path in MOVED {
            let all = text.matches(path).count();
            let moved = text.matches(&format!("{prefix}{path}")).count();
            assert_eq!(all, moved, "{name}: {path} left outside the sandbox");
        }
        for line in text.lines().filter(|l| l.contains("rm ")) {
            assert!(
                line.contains(prefix) || !line.contains(" /"),
                "{name}: {line}"
            );
        }
        let out = self.path(&format!("scripts/{name}"));
        self.write(&format!("scripts/{name}"), &text, 0o755);
        out
    }

    fn run(&self, name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("sh");
        cmd.arg(self.script(name))
            .args(args)
            .env("PATH", path)
            .env("SANDBOX", self.dir.path())
            .env_remove("HALLQ_PURGE_DATA");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{name} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn log(&self) -> Vec<String> {
        let prefix = self.dir.path().to_str().unwrap();
        std::fs::read_to_string(self.path("log"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.replace(prefix, ""))
            .collect()
    }

    /// The script's stderr with the sandbox's paths shown as the real ones.
    fn err(&self, out: &Output) -> String {
        stderr(out).replace(self.dir.path().to_str().unwrap(), "")
    }

    fn clear_log(&self) {
        let _ = std::fs::remove_file(self.path("log"));
    }

    /// The package's files as dpkg would have unpacked them.
    fn unpack(&self) {
        let sample = std::fs::read_to_string(root().join("hall.example.toml")).unwrap();
        self.write("/etc/hallq/hall.toml", &sample, 0o640);
        self.write(
            "/usr/share/doc/hallq/examples/hall.example.toml",
            &sample,
            0o644,
        );
        self.write(
            "/etc/default/hallq",
            &std::fs::read_to_string(script_dir().join("hallq.default")).unwrap(),
            0o644,
        );
        // `hallq check-config` passes.
        self.write(
            "/usr/bin/hallq",
            "#!/bin/sh\necho \"hallq $*\" >> \"$SANDBOX/log\"\nexit 0\n",
            0o755,
        );
        std::fs::create_dir_all(self.path("/run/systemd/system")).unwrap();
    }
}

fn has(log: &[String], line: &str) -> bool {
    log.iter().any(|l| l == line)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn postinst_creates_the_user_and_enables_but_never_starts_an_unconfigured_role() {
    let s = Sandbox::new();
    s.unpack();
    let exists = "dialout audio video input render";
    let out = s.run("postinst", &["configure", ""], &[("EXISTS", exists)]);
    let log = s.log();
    assert!(has(&log, "groupadd --system hallq"), "{log:#?}");
    assert!(
        has(
            &log,
            "useradd --system --gid hallq --home-dir /var/lib/hallq --no-create-home --shell \
             /usr/sbin/nologin --comment hallq hall queue system hallq"
        ),
        "{log:#?}"
    );
    for group in DEVICE_GROUPS {
        let line = format!("usermod --append --groups {group} hallq");
        // gpio exists only on Raspberry Pi OS: not here.
        assert_eq!(has(&log, &line), group != "gpio", "{line}");
    }
    assert!(has(
        &log,
        "install -d -m 0750 -o hallq -g hallq /var/lib/hallq"
    ));
    assert!(has(
        &log,
        "dpkg-statoverride --update --add root hallq 0640 /etc/hallq/hall.toml"
    ));
    assert!(has(&log, "systemctl enable hallq-serve.service"));
    // The sample's placeholder tokens are never served.
    assert!(
        !log.iter()
            .any(|l| l.starts_with("deb-systemd-invoke start")),
        "{log:#?}"
    );
    assert!(!log.iter().any(|l| l.starts_with("hallq check-config")));
    assert!(
        s.err(&out)
            .contains("hallq-serve.service is enabled; edit /etc/hallq/hall.toml"),
        "{}",
        s.err(&out)
    );
    // Other roles are left alone.
    assert!(
        !log.iter()
            .any(|l| l.contains("hallq-kiosk") && !l.contains("is-active")),
        "{log:#?}"
    );

    // Again, after the technician edited hall.toml: checked, then started. The user exists.
    s.clear_log();
    s.write("/etc/hallq/hall.toml", "[hall]\nname = \"edited\"\n", 0o640);
    s.run(
        "postinst",
        &["configure", "0.1.0"],
        &[("EXISTS", "hallq dialout"), ("OVERRIDDEN", "1")],
    );
    let log = s.log();
    assert!(
        !log.iter()
            .any(|l| l.starts_with("useradd") || l.starts_with("groupadd"))
    );
    assert!(
        !log.iter()
            .any(|l| l.starts_with("dpkg-statoverride --update"))
    );
    assert!(
        has(&log, "hallq check-config /etc/hallq/hall.toml"),
        "{log:#?}"
    );
    assert!(
        has(&log, "deb-systemd-invoke start hallq-serve.service"),
        "{log:#?}"
    );
}

#[test]
fn postinst_follows_etc_default_hallq() {
    let s = Sandbox::new();
    s.unpack();
    s.write(
        "/etc/default/hallq",
        "HALLQ_ROLE=\"kiosk display rate bogus\"\n",
        0o644,
    );
    s.write(
        "/etc/hallq/kiosk.env",
        "HALLQ_SERVER=http://10.0.0.1:8610\n",
        0o640,
    );
    let out = s.run("postinst", &["configure", ""], &[]);
    let log = s.log();
    assert!(
        has(&log, "systemctl enable hallq-kiosk.service"),
        "{log:#?}"
    );
    assert!(has(&log, "systemctl enable hallq-display.service"));
    assert!(has(&log, "systemctl enable hallq-rate.service"));
    assert!(
        !log.iter()
            .any(|l| l.contains("hallq-serve") && !l.contains("is-active")),
        "{log:#?}"
    );
    // kiosk.env exists: started; display has no settings: only enabled.
    assert!(has(&log, "deb-systemd-invoke start hallq-kiosk.service"));
    assert!(!has(&log, "deb-systemd-invoke start hallq-display.service"));
    let err = s.err(&out);
    assert!(err.contains("unknown role 'bogus'"), "{err}");
    assert!(err.contains("write /etc/hallq/display.env"), "{err}");
    assert!(err.contains("write /etc/hallq/rate.env"), "{err}");

    // none: nothing enabled. An upgrade restarts what runs, enabled here or not.
    s.clear_log();
    s.write("/etc/default/hallq", "HALLQ_ROLE=none\n", 0o644);
    s.run(
        "postinst",
        &["configure", "0.1.0"],
        &[("ACTIVE", "hallq-window.service")],
    );
    let log = s.log();
    assert!(
        !log.iter().any(|l| l.starts_with("systemctl enable")),
        "{log:#?}"
    );
    assert!(has(&log, "deb-systemd-invoke restart hallq-window.service"));
    assert_eq!(
        log.iter()
            .filter(|l| l.starts_with("deb-systemd-invoke"))
            .count(),
        1,
        "{log:#?}"
    );

    // Without a running systemd (an image being built): enabled, never started.
    s.clear_log();
    std::fs::remove_dir(s.path("/run/systemd/system")).unwrap();
    s.write("/etc/default/hallq", "HALLQ_ROLE=kiosk\n", 0o644);
    s.run("postinst", &["configure", ""], &[]);
    let log = s.log();
    assert!(
        has(&log, "systemctl enable hallq-kiosk.service"),
        "{log:#?}"
    );
    assert!(
        !log.iter().any(|l| l.starts_with("deb-systemd-invoke")),
        "{log:#?}"
    );
}

#[test]
fn postrm_keeps_the_store_unless_told_to_delete_it() {
    let s = Sandbox::new();
    s.unpack();
    s.write("/var/lib/hallq/hall.db", "tickets", 0o640);
    s.write("/var/lib/hallq/hall.db-wal", "more", 0o640);
    s.write("/etc/hallq/kiosk.env", "HALLQ_TOKEN=x\n", 0o640);
    s.write("/etc/hallq/rate.env", "HALLQ_TOKEN=y\n", 0o640);
    s.write("/var/cache/hallq/slint", "cache", 0o640);

    s.run("prerm", &["remove"], &[]);
    let log = s.log();
    assert!(
        has(
            &log,
            "systemctl stop hallq-serve.service hallq-kiosk.service hallq-window.service \
         hallq-display.service hallq-rate.service"
        ),
        "{log:#?}"
    );
    s.run("postrm", &["remove"], &[]);
    assert!(s.path("/var/lib/hallq/hall.db").exists());
    assert!(
        s.path("/etc/hallq/kiosk.env").exists(),
        "remove keeps the configuration"
    );

    // Upgrades never stop or remove anything.
    s.clear_log();
    s.run("prerm", &["upgrade", "0.2.0"], &[]);
    s.run("postrm", &["upgrade", "0.2.0"], &[]);
    assert!(s.log().is_empty(), "{:#?}", s.log());

    // Purge: the configuration goes, the data stays.
    std::fs::remove_file(s.path("/etc/hallq/hall.toml")).unwrap(); // dpkg removes conffiles
    let out = s.run("postrm", &["purge"], &[("OVERRIDDEN", "1")]);
    assert!(s.path("/var/lib/hallq/hall.db").exists());
    assert!(s.path("/var/lib/hallq/hall.db-wal").exists());
    assert!(!s.path("/etc/hallq/kiosk.env").exists());
    assert!(!s.path("/etc/hallq/rate.env").exists());
    assert!(!s.path("/etc/hallq").exists());
    assert!(!s.path("/var/cache/hallq").exists());
    assert!(has(
        &s.log(),
        "dpkg-statoverride --remove /etc/hallq/hall.toml"
    ));
    assert!(
        s.err(&out).contains("kept the store in /var/lib/hallq"),
        "{}",
        s.err(&out)
    );
    // Any other value than 1 keeps it too.
    s.run("postrm", &["purge"], &[("HALLQ_PURGE_DATA", "yes")]);
    assert!(s.path("/var/lib/hallq/hall.db").exists());

    // Only the explicit switch deletes it.
    s.run("postrm", &["purge"], &[("HALLQ_PURGE_DATA", "1")]);
    assert!(!s.path("/var/lib/hallq").exists());
}

// ---- the built package ------------------------------------------------------------------

/// `HALLQ_DEB`: the .deb `.ci/run` built (`cargo deb --no-build`). Unset: nothing to check.
fn built_deb() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("HALLQ_DEB")?);
    assert!(
        path.is_file(),
        "HALLQ_DEB={} does not exist",
        path.display()
    );
    Some(path)
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .unwrap();
    assert!(out.status.success(), "dpkg-deb {args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_built_deb_holds_what_the_metadata_lists() {
    let Some(deb) = built_deb() else {
        // CI builds the package before the tests: there, a missing one is a failure.
        assert!(
            std::env::var("HALLQ_CI").as_deref() != Ok("1"),
            "HALLQ_CI=1 but HALLQ_DEB is not set"
        );
        eprintln!("HALLQ_DEB is not set: no built package to inspect (.ci/run sets it)");
        return;
    };
    let name = deb.file_name().unwrap().to_str().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        name.starts_with(&format!("hallq_{version}_")) && name.ends_with(".deb"),
        "{name}"
    );

    let listing = dpkg_deb(&["--contents"], &deb);
    // "-rw-r--r-- 0/0 1234 2026-11-22 00:00 ./usr/bin/hallq"
    let entries: Vec<(String, String, String)> = listing
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let path = cols[5].trim_start_matches('.').to_string();
            (path, cols[0].to_string(), cols[1].to_string())
        })
        .collect();
    let find = |path: &str| {
        entries
            .iter()
            .find(|(p, _, _)| p == path)
            .unwrap_or_else(|| panic!("{path} not in the package:\n{listing}"))
    };
    for path in installed() {
        let (_, perms, owner) = find(&path);
        assert!(owner == "0/0" || owner == "root/root", "{path}: {owner}");
        let expected = match mode_of(&path).as_str() {
            "755" => "-rwxr-xr-x",
            "640" => "-rw-r-----",
            _ => "-rw-r--r--",
        };
        assert_eq!(perms, expected, "{path}");
    }
    // Nothing but the listed assets, cargo-deb's copyright and the separate debug symbols
    // (plus directories).
    let mut debug_files = 0;
    for (path, perms, _) in &entries {
        if perms.starts_with('d') {
            continue;
        }
        if path.starts_with("/usr/lib/debug/.build-id/") && path.ends_with(".debug") {
            debug_files += 1;
            continue;
        }
        assert!(
            installed().contains(path) || path == "/usr/share/doc/hallq/copyright",
            "unexpected {path}"
        );
    }
    assert_eq!(debug_files, 1, "{listing}");

    let info = dpkg_deb(&["--info"], &deb);
    assert!(info.contains(" Package: hallq\n"), "{info}");
    assert!(info.contains(&format!(" Version: {version}\n")), "{info}");
    // cargo-deb sorts the list; the same set as the metadata.
    let depends_line = info
        .lines()
        .find_map(|l| l.strip_prefix(" Depends: "))
        .unwrap_or_else(|| panic!("no Depends in\n{info}"));
    let shipped: BTreeSet<&str> = depends_line.split(", ").collect();
    // The arm64 package is the Pi variant (.ci/cross-arm64).
    let meta = deb_meta();
    let arch = info
        .lines()
        .find_map(|l| l.strip_prefix(" Architecture: "))
        .unwrap();
    assert!(name.ends_with(&format!("_{arch}.deb")), "{name} vs {arch}");
    let depends = if arch == "arm64" {
        &meta["variants"]["pi"]["depends"]
    } else {
        &meta["depends"]
    };
    let wanted: BTreeSet<&str> = depends.as_str().unwrap().split(", ").collect();
    assert_eq!(shipped, wanted);
    let control = tempfile::tempdir().unwrap();
    let out = Command::new("dpkg-deb")
        .arg("--control")
        .arg(&deb)
        .arg(control.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let conffiles = std::fs::read_to_string(control.path().join("conffiles")).unwrap();
    let conffiles: BTreeSet<&str> = conffiles.lines().collect();
    assert_eq!(
        conffiles,
        BTreeSet::from(["/etc/hallq/hall.toml", "/etc/default/hallq"])
    );
    for name in ["postinst", "prerm", "postrm"] {
        let shipped = std::fs::read_to_string(control.path().join(name)).unwrap();
        assert_eq!(
            shipped,
            script(name),
            "{name} in the package differs from systemd/deb/"
        );
    }
}
