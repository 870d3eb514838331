//! The rpm cataloger on real databases of each format, checked row by row against the package
//! lists that rpm itself printed for them (`packages.csv` beside each database).

use std::path::PathBuf;

use stowaway_catalog::rpm::{RpmdbFormat, read_packages};
use stowaway_catalog::{CatalogOptions, catalog_image};
use stowaway_image::Image;
use stowaway_model::{Package, PackageKind};

/// A real database: its folder under `data/rpmdb/`, its file name and the path it has in images.
struct Database {
    folder: &'static str,
    file_name: &'static str,
    image_path: &'static str,
    format: RpmdbFormat,
    os_release: &'static str,
    /// Whether `packages.csv` was printed from this very database file.
    ///
    /// NOTE: the NDB file is an older snapshot of the same image than its `packages.csv`. In
    /// it, 20 packages have older releases and `skelcd-EULA-bci` is not installed yet. Its
    /// blobs all pass their Adler-32 checks, so only packages of equal version are compared.
    same_snapshot: bool,
}

const DATABASES: [Database; 3] = [
    Database {
        folder: "cbl-mariner-2.0",
        file_name: "rpmdb.sqlite",
        image_path: "var/lib/rpm/rpmdb.sqlite",
        format: RpmdbFormat::Sqlite,
        os_release: "ID=mariner\nVERSION_ID=\"2.0\"\n",
        same_snapshot: true,
    },
    Database {
        folder: "sle15-bci",
        file_name: "Packages.db",
        image_path: "usr/lib/sysimage/rpm/Packages.db",
        format: RpmdbFormat::Ndb,
        os_release: "ID=\"sles\"\nVERSION_ID=\"15.3\"\n",
        same_snapshot: false,
    },
    Database {
        folder: "libuuid",
        file_name: "Packages",
        image_path: "var/lib/rpm/Packages",
        format: RpmdbFormat::BerkeleyDb,
        os_release: "ID=\"rhel\"\nVERSION_ID=\"8.8\"\n",
        same_snapshot: true,
    },
];

fn shared_dir() -> PathBuf {
    match std::env::var_os("STOWAWAY_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn read_shared(database: &Database, file_name: &str) -> Vec<u8> {
    let path = shared_dir().join("data/rpmdb").join(database.folder).join(file_name);
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!("cannot read `{}` ({error}); set STOWAWAY_SHARED_DIR to the shared data folder", path.display())
    })
}

/// Returns the expected rows of `packages.csv`, sorted. Fields are separated by `¶`: epoch,
/// name, version, release, arch, source rpm, installed size, license, vendor, summary, SIGMD5.
fn expected_rows(database: &Database) -> Vec<String> {
    let text = String::from_utf8(read_shared(database, "packages.csv")).expect("packages.csv is UTF-8");
    let mut rows: Vec<String> = text.lines().filter(|line| !line.is_empty()).map(str::to_owned).collect();
    rows.sort();
    rows
}

/// Writes a package as a `packages.csv` row.
fn row(package: &Package) -> String {
    let field = |key: &str| package.metadata.get(key).map_or("", String::as_str);
    let fields = [
        field("epoch"),
        &package.name,
        field("version"),
        field("release"),
        package.architecture.as_deref().unwrap_or(""),
        field("sourcerpm"),
        field("installed_size_bytes"),
        &package.licenses.join(" "),
        field("vendor"),
        field("summary"),
        field("sigmd5"),
    ];
    fields.join("¶")
}

/// Asserts that the packages are the expected rows, listing every missing and extra row.
fn assert_rows(database: &Database, packages: &[&Package]) {
    let mut expected = expected_rows(database);
    let mut actual: Vec<String> = packages.iter().map(|package| row(package)).collect();
    actual.sort();

    if !database.same_snapshot {
        let name_version = |row: &str| row.split('¶').take(4).collect::<Vec<_>>().join("¶");
        let names = |rows: &[String]| rows.iter().map(|row| row.split('¶').nth(1).unwrap().to_owned()).collect::<Vec<_>>();
        let expected_names = names(&expected);
        for name in names(&actual) {
            assert!(expected_names.contains(&name), "{}: `{name}` is not in packages.csv", database.folder);
        }
        let actual_versions: Vec<String> = actual.iter().map(|row| name_version(row)).collect();
        expected.retain(|row| actual_versions.contains(&name_version(row)));
        actual.retain(|row| expected.iter().any(|kept| name_version(kept) == name_version(row)));
        assert!(expected.len() >= 15, "{}: only {} packages agree in version with packages.csv", database.folder, expected.len());
    }

    let missing: Vec<&String> = expected.iter().filter(|row| !actual.contains(row)).collect();
    let extra: Vec<&String> = actual.iter().filter(|row| !expected.contains(row)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: {} rows expected, {} found\nmissing:\n{}\nunexpected:\n{}",
        database.folder,
        expected.len(),
        actual.len(),
        missing.iter().map(|row| format!("  {row}")).collect::<Vec<_>>().join("\n"),
        extra.iter().map(|row| format!("  {row}")).collect::<Vec<_>>().join("\n"),
    );
    assert_eq!(actual, expected, "{}: rows differ in order or duplicates", database.folder);
}

/// Builds a one-layer image tar with the database at its real path and an os-release.
fn image_with(database: &Database, bytes: &[u8]) -> Image {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in [(database.image_path, bytes), ("etc/os-release", database.os_release.as_bytes())] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, content).expect("append to an in-memory tar");
    }
    Image::from_layer_blobs(vec![builder.into_inner().expect("finish the in-memory tar")])
}

#[test]
fn bare_parser_matches_rpm() {
    for database in &DATABASES {
        let bytes = read_shared(database, database.file_name);
        let packages = read_packages(database.format, &bytes, database.image_path)
            .unwrap_or_else(|error| panic!("{}: {error:?}", database.folder));

        assert_rows(database, &packages.iter().collect::<Vec<_>>());
    }
}

#[test]
fn image_catalog_matches_rpm() {
    for database in &DATABASES {
        let image = image_with(database, &read_shared(database, database.file_name));
        let catalog = catalog_image(&image, &CatalogOptions::default()).expect("catalog the test image");
        let packages: Vec<&Package> = catalog.packages.iter().filter(|package| package.kind == PackageKind::Rpm).collect();

        assert!(catalog.warnings.is_empty(), "{}: {:?}", database.folder, catalog.warnings);
        assert_rows(database, &packages);
        for package in &packages {
            assert_eq!(package.locations, [format!("/{}", database.image_path)], "{}", package.name);
            assert_eq!(package.layer.as_ref().map(|layer| layer.index), Some(0), "{}", package.name);
            let purl = package.purl.as_deref().unwrap_or_default();
            assert!(purl.starts_with(&format!("pkg:rpm/{}/", catalog.os.as_ref().unwrap().id)), "{purl}");
            let version_release = format!("{}-{}", package.metadata["version"], package.metadata["release"]);
            assert!(purl.contains(&format!("@{}?arch=", version_release.replace('+', "%2B"))), "{purl}");
        }
    }
}

#[test]
fn package_fields_of_libuuid() {
    let database = &DATABASES[2];
    let packages = read_packages(database.format, &read_shared(database, database.file_name), database.image_path).unwrap();
    let libuuid = &packages[0];

    assert_eq!(libuuid.version, "2.32.1-42.el8_8");
    assert_eq!(libuuid.architecture.as_deref(), Some("x86_64"));
    let source = libuuid.source.as_ref().expect("libuuid has a source rpm");
    assert_eq!(source.name, "util-linux");
    assert_eq!(source.version.as_deref(), Some("2.32.1-42.el8_8"));
    assert!(libuuid.files.iter().any(|file| file.starts_with("/usr/lib64/libuuid.so.1")), "{:?}", libuuid.files);
}

#[test]
fn epoch_in_version_string() {
    let database = &DATABASES[0];
    let packages = read_packages(database.format, &read_shared(database, database.file_name), database.image_path).unwrap();
    let certificates = packages.iter().find(|package| package.name == "ca-certificates-base").expect("ca-certificates-base is installed");

    assert_eq!(certificates.version, "1:2.0.0-1.cm2");
    assert_eq!(certificates.metadata["epoch"], "1");
}

#[test]
fn truncated_database_becomes_warning() {
    for database in &DATABASES {
        let bytes = read_shared(database, database.file_name);
        let image = image_with(database, &bytes[..bytes.len() / 3]);
        let catalog = catalog_image(&image, &CatalogOptions::default()).expect("a bad database does not stop the catalog");

        let messages: Vec<String> = catalog.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 1, "{}: {messages:?}", database.folder);
        assert!(messages[0].contains("`rpm`"), "{}", messages[0]);
        assert!(messages[0].contains(database.image_path), "{}", messages[0]);
        assert!(catalog.os.is_some(), "{}: the os-release is still read", database.folder);
    }
}

/// Builds a header blob with string tags and an optional epoch, as rpm stores it in a database.
fn header_blob(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    let mut add = |tag: u32, kind: u32, bytes: &[u8]| {
        for field in [tag, kind, data.len() as u32, 1] {
            index.extend_from_slice(&field.to_be_bytes());
        }
        data.extend_from_slice(bytes);
    };
    if let Some(epoch) = epoch {
        add(1003, 4, &epoch.to_be_bytes());
    }
    for (tag, value) in strings {
        add(*tag, 6, &[value.as_bytes(), b"\0"].concat());
    }

    let entries = (index.len() / 16) as u32;
    [&entries.to_be_bytes()[..], &(data.len() as u32).to_be_bytes(), &index, &data].concat()
}

/// Builds an `rpmdb.sqlite` containing `perl-Pod-Escapes` at `1:1.04-RELEASE` and `perl` at
/// `4:5.16.3-RELEASE`, both built from `perl-5.16.3-RELEASE.src.rpm`.
fn perl_database(release: &str) -> Vec<u8> {
    let source = format!("perl-5.16.3-{release}.src.rpm");
    let packages = [("perl-Pod-Escapes", "1.04", 1, "noarch"), ("perl", "5.16.3", 4, "x86_64")];

    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", []).unwrap();
    for (name, version, epoch, arch) in packages {
        let tags = [(1000, name), (1001, version), (1002, release), (1022, arch), (1044, source.as_str())];
        connection.execute("INSERT INTO Packages (blob) VALUES (?1)", [header_blob(&tags, Some(epoch))]).unwrap();
    }
    connection.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
}

fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content).expect("append to an in-memory tar");
    }
    builder.into_inner().expect("finish the in-memory tar")
}

/// Binary and source rpm keep their own versions: `perl-Pod-Escapes` is `1:1.04-299.el7_9`,
/// never the source's `5.16.3`, so an advisory's fixed EVR for it is compared with its own.
#[test]
fn binary_and_source_versions_apart() {
    let os_release = b"ID=\"rhel\"\nVERSION_ID=\"7.9\"\n";
    let database = perl_database("299.el7_9");
    let image = Image::from_layer_blobs(vec![layer(&[("etc/os-release", os_release), ("var/lib/rpm/rpmdb.sqlite", &database)])]);
    let catalog = catalog_image(&image, &CatalogOptions::default()).unwrap();

    let escapes = catalog.packages.iter().find(|package| package.name == "perl-Pod-Escapes").expect("perl-Pod-Escapes is cataloged");
    assert_eq!(escapes.version, "1:1.04-299.el7_9");
    assert_eq!(escapes.metadata["epoch"], "1");
    let source = escapes.source.as_ref().expect("perl-Pod-Escapes names its source rpm");
    assert_eq!(source.name, "perl");
    assert_eq!(source.version.as_deref(), Some("5.16.3-299.el7_9"));
    assert_eq!(
        escapes.purl.as_deref(),
        Some("pkg:rpm/rhel/perl-Pod-Escapes@1.04-299.el7_9?arch=noarch&distro=rhel-7.9&epoch=1&upstream=perl%405.16.3-299.el7_9")
    );

    let perl = catalog.packages.iter().find(|package| package.name == "perl").expect("perl is cataloged");
    assert_eq!(perl.version, "4:5.16.3-299.el7_9");
}

/// A database rewritten by an upper layer: unchanged packages stay with the lower layer, and
/// upgraded ones belong to the layer that upgraded them.
#[test]
fn rewritten_database_attributes_layers() {
    let os_release = b"ID=\"rhel\"\nVERSION_ID=\"7.9\"\n";
    let old = perl_database("292.el7");
    let base = layer(&[("etc/os-release", os_release), ("var/lib/rpm/rpmdb.sqlite", &old)]);
    let same = layer(&[("var/lib/rpm/rpmdb.sqlite", &old)]);
    let upgrade = layer(&[("var/lib/rpm/rpmdb.sqlite", &perl_database("299.el7_9"))]);

    let unchanged = catalog_image(&Image::from_layer_blobs(vec![base.clone(), same]), &CatalogOptions::default()).unwrap();
    for package in unchanged.packages.iter().filter(|package| package.kind == PackageKind::Rpm) {
        assert_eq!(package.layer.as_ref().map(|layer| layer.index), Some(0), "{}", package.name);
    }

    let upgraded = catalog_image(&Image::from_layer_blobs(vec![base, upgrade]), &CatalogOptions::default()).unwrap();
    let versions: Vec<(&str, &str, Option<usize>)> = upgraded
        .packages
        .iter()
        .map(|package| (package.name.as_str(), package.version.as_str(), package.layer.as_ref().map(|layer| layer.index)))
        .collect();
    assert_eq!(versions, [("perl", "4:5.16.3-299.el7_9", Some(1)), ("perl-Pod-Escapes", "1:1.04-299.el7_9", Some(1))]);
}
