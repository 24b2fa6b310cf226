//! Generates every generation's headers with cbindgen from the ABI and FFI
//! sources, tells the compiler which function groups the generation being
//! built has, and compiles the small C shims (weak references to the host's
//! allocator and hooks). A header is rewritten only when its text changes;
//! CI fails when the committed include/ differs from what this produces.
//!
//! `SURFACES` is the C half of each generation's statement (which functions
//! and header pieces it has); src/generation/<gen>.rs is the other half
//! (what the shared core does differently).

use std::path::{Path, PathBuf};

struct Surface {
    name: &'static str,
    /// The ae layout file (src/abi/ae_<layout>.rs).
    ae_layout: &'static str,
    /// ae.h includes monotonic.h (6.2+).
    monotonic: bool,
    /// aeTimeProc's result type ("long long" in Valkey 8.1).
    time_proc_returns: &'static str,
    /// The IO-thread poll types: aeAfterSleepProc with numevents and
    /// aeCustomPollProc (Valkey 8).
    io_thread_poll: bool,
    /// How input strings of the connect family are spelled (6.0+: const).
    in_str: &'static str,
    /// Extra constant files of anet.h (FD_TO_*, ANET_PREFER_*).
    anet_constants: &'static [&'static str],
    /// Raw C after the generated part of anet.h.
    anet_trailer: &'static str,
    sys_includes: &'static [&'static str],
    /// Function groups: src/ffi/ae/<g>.rs, src/ffi/anet/<g>.rs, cluster.
    groups: &'static [&'static str],
    /// The cluster layout file where the library provides the link layer.
    cluster_layout: Option<&'static str>,
    /// The host's allocator is `valkey_malloc`/`valkey_realloc`/`valkey_free`
    /// (Valkey 8.1 renamed zmalloc and its friends).
    valkey_alloc: bool,
}

/// 6.2+: `monotime` comes from the host's monotonic.h, as the reference's
/// ae.h includes it; a program without one gets the same typedef here.
const MONOTONIC: &str = "\
#if defined(__has_include)
#if __has_include(\"monotonic.h\")
#include \"monotonic.h\"
#define AENET_HAVE_MONOTONIC_H 1
#endif
#endif
#ifndef AENET_HAVE_MONOTONIC_H
typedef uint64_t monotime;
#endif

";

/// The raw C before the generated part of a generation's ae.h.
fn ae_prelude(s: &Surface) -> String {
    let mut p = String::new();
    if s.monotonic {
        p.push_str(MONOTONIC);
    }
    p.push_str("struct aeEventLoop;\n\n/* Types and data structures */\n");
    p.push_str("typedef void aeFileProc(struct aeEventLoop *eventLoop, int fd, void *clientData, int mask);\n");
    p.push_str(&format!(
        "typedef {} aeTimeProc(struct aeEventLoop *eventLoop, long long id, void *clientData);\n",
        s.time_proc_returns
    ));
    p.push_str("typedef void aeEventFinalizerProc(struct aeEventLoop *eventLoop, void *clientData);\n");
    p.push_str("typedef void aeBeforeSleepProc(struct aeEventLoop *eventLoop);\n");
    if s.io_thread_poll {
        p.push_str("typedef void aeAfterSleepProc(struct aeEventLoop *eventLoop, int numevents);\n");
        p.push_str("typedef int aeCustomPollProc(struct aeEventLoop *eventLoop);\n");
    }
    p.push_str("\n/* Macros */\n#define AE_NOTUSED(V) ((void) V)\n");
    p
}

/// 7.2+'s anet.h declares anetFormatAddr and no anet.c defines it.
const ANET_FORMAT_ADDR_DECLARED: &str = "\
/* Declared by the reference anet.h, defined by no reference anet.c (7.2+);
 * declared here too, so source that names it compiles the same way. */
int anetFormatAddr(char *fmt, size_t fmt_len, char *ip, int port);
";

const SURFACES: &[Surface] = &[
    Surface {
        name: "redis30",
        ae_layout: "v30",
        monotonic: false,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "char *",
        sys_includes: &["time.h"],
        anet_constants: &[],
        anet_trailer: "",
        groups: &["anet_legacy", "anet_unix_connect", "anet_unix_server", "cluster_link"],
        cluster_layout: Some("v30"),
        valkey_alloc: false,
    },
    Surface {
        name: "redis50",
        ae_layout: "v40",
        monotonic: false,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "char *",
        sys_includes: &["time.h"],
        anet_constants: &[],
        anet_trailer: "",
        groups: &[
            "after_sleep",
            "anet_legacy",
            "anet_unix_connect",
            "anet_unix_server",
            "anet_format_addr",
            "anet_format_peer",
            "cluster_link",
        ],
        cluster_layout: Some("v50"),
        valkey_alloc: false,
    },
    Surface {
        name: "redis60",
        ae_layout: "v60",
        monotonic: false,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "const char *",
        sys_includes: &["time.h"],
        anet_constants: &[],
        anet_trailer: "",
        groups: &[
            "after_sleep",
            "dont_wait",
            "anet_legacy",
            "anet_unix_connect",
            "anet_unix_server",
            "anet_format_addr",
            "anet_format_peer",
            "anet_recv_timeout",
        ],
        cluster_layout: None,
        valkey_alloc: false,
    },
    Surface {
        name: "redis62",
        ae_layout: "v62",
        monotonic: true,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "const char *",
        sys_includes: &["stdint.h"],
        anet_constants: &["src/abi/anet_fd_to.rs"],
        anet_trailer: "",
        groups: &[
            "after_sleep",
            "dont_wait",
            "anet_resolve",
            "anet_recv_timeout",
            "anet_cloexec",
            "anet_fd_to_string",
            "anet_unix_connect",
            "anet_unix_server",
            "anet_format_addr",
            "anet_format_fd_addr",
        ],
        cluster_layout: None,
        valkey_alloc: false,
    },
    Surface {
        name: "redis70",
        ae_layout: "v62",
        monotonic: true,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "const char *",
        sys_includes: &["stdint.h"],
        anet_constants: &["src/abi/anet_fd_to.rs"],
        anet_trailer: "",
        groups: &[
            "after_sleep",
            "dont_wait",
            "client_data",
            "anet_resolve",
            "anet_recv_timeout",
            "anet_cloexec",
            "anet_fd_to_string",
            "anet_unix_connect",
            "anet_unix_server",
            "anet_format_addr",
            "anet_format_fd_addr",
            "anet_pipe_mark",
            "cluster_frame_check",
        ],
        cluster_layout: None,
        valkey_alloc: false,
    },
    Surface {
        name: "redis72",
        ae_layout: "v62",
        monotonic: true,
        time_proc_returns: "int",
        io_thread_poll: false,
        in_str: "const char *",
        sys_includes: &["stdint.h"],
        anet_constants: &[],
        anet_trailer: ANET_FORMAT_ADDR_DECLARED,
        groups: &[
            "after_sleep",
            "dont_wait",
            "client_data",
            "anet_resolve",
            "anet_recv_timeout",
            "anet_cloexec",
            "anet_fd_to_string",
            "anet_unix_connect",
            "anet_unix_server",
            "anet_pipe_mark",
            "anet_error_fifo",
            "cluster_frame_check",
        ],
        cluster_layout: None,
        valkey_alloc: false,
    },
    Surface {
        name: "valkey80",
        ae_layout: "v80",
        monotonic: true,
        time_proc_returns: "int",
        io_thread_poll: true,
        in_str: "const char *",
        sys_includes: &["stdint.h", "sys/time.h", "pthread.h"],
        anet_constants: &["src/abi/anet_prefer.rs"],
        anet_trailer: ANET_FORMAT_ADDR_DECLARED,
        groups: &[
            "after_sleep",
            "dont_wait",
            "client_data",
            "custom_poll",
            "anet_resolve",
            "anet_recv_timeout",
            "anet_cloexec",
            "anet_fd_to_string",
            "anet_unix_server_group",
            "anet_pipe_mark",
            "anet_error_fifo",
            "cluster_frame_check",
        ],
        cluster_layout: None,
        valkey_alloc: false,
    },
    Surface {
        name: "valkey81",
        ae_layout: "v81",
        monotonic: true,
        time_proc_returns: "long long",
        io_thread_poll: true,
        in_str: "const char *",
        sys_includes: &["stdint.h", "sys/time.h", "pthread.h"],
        anet_constants: &["src/abi/anet_prefer.rs"],
        anet_trailer: ANET_FORMAT_ADDR_DECLARED,
        groups: &[
            "after_sleep",
            "dont_wait",
            "client_data",
            "custom_poll",
            "anet_resolve",
            "anet_recv_timeout",
            "anet_cloexec",
            "anet_fd_to_string",
            "anet_unix_server_group",
            "anet_pipe_mark",
            "anet_error_fifo",
            "cluster_frame_check",
        ],
        cluster_layout: None,
        valkey_alloc: true,
    },
];

/// Every group any generation may list (for the compiler's cfg check).
const ALL_GROUPS: &[&str] = &[
    "after_sleep",
    "dont_wait",
    "client_data",
    "custom_poll",
    "anet_legacy",
    "anet_resolve",
    "anet_recv_timeout",
    "anet_cloexec",
    "anet_fd_to_string",
    "anet_unix_connect",
    "anet_unix_server",
    "anet_unix_server_group",
    "anet_format_addr",
    "anet_format_peer",
    "anet_format_fd_addr",
    "anet_pipe_mark",
    "anet_error_fifo",
    "cluster_link",
    "cluster_frame_check",
];

struct Header {
    file: &'static str,
    guard: &'static str,
    sys_includes: Vec<String>,
    prelude: String,
    trailer: String,
    sources: Vec<String>,
    include_types: &'static [&'static str],
    /// Rust names spelled otherwise in C (pointer-to-function-type aliases,
    /// structs only declared in this header).
    renames: Vec<(&'static str, String)>,
}

fn existing(paths: impl IntoIterator<Item = String>) -> Vec<String> {
    paths.into_iter().filter(|p| Path::new(p).exists()).collect()
}

fn headers(s: &Surface) -> Vec<Header> {
    let group_files = |dir: &str| {
        existing(
            s.groups
                .iter()
                .filter(|g| g.starts_with("anet_"))
                .map(|g| format!("src/ffi/{dir}/{}.rs", &g["anet_".len()..])),
        )
    };
    let mut ae_sources = vec!["src/abi/ae_common.rs".to_string(), format!("src/abi/ae_{}.rs", s.ae_layout)];
    ae_sources.push("src/ffi/ae/base.rs".into());
    ae_sources
        .extend(existing(s.groups.iter().filter(|g| !g.starts_with("anet_")).map(|g| format!("src/ffi/ae/{g}.rs"))));
    let mut anet_sources = vec!["src/abi/anet.rs".to_string()];
    anet_sources.extend(s.anet_constants.iter().map(|c| c.to_string()));
    anet_sources.push("src/ffi/anet/base.rs".into());
    anet_sources.extend(group_files("anet"));
    let fn_types = |extra: &[(&'static str, String)]| {
        let mut v: Vec<(&'static str, String)> = vec![
            ("aeFileProcPtr", "aeFileProc *".into()),
            ("aeTimeProcPtr", "aeTimeProc *".into()),
            ("aeTimeProcLongPtr", "aeTimeProc *".into()),
            ("TimeProcPtr", "aeTimeProc *".into()),
            ("aeEventFinalizerProcPtr", "aeEventFinalizerProc *".into()),
            ("aeBeforeSleepProcPtr", "aeBeforeSleepProc *".into()),
            ("aeAfterSleepProcPtr", if s.io_thread_poll { "aeAfterSleepProc *" } else { "aeBeforeSleepProc *" }.into()),
            ("aeCustomPollProcPtr", "aeCustomPollProc *".into()),
            ("monotime", "monotime".into()),
            ("timeval", "struct timeval".into()),
        ];
        v.extend_from_slice(extra);
        v
    };
    let mut out = vec![
        Header {
            file: "ae.h",
            guard: "__AE_H__",
            sys_includes: s.sys_includes.iter().map(|i| i.to_string()).collect(),
            prelude: ae_prelude(s),
            trailer: String::new(),
            sources: ae_sources,
            include_types: &["aeEventLoop", "aeFileEvent", "aeTimeEvent", "aeFiredEvent"],
            renames: fn_types(&[]),
        },
        Header {
            file: "anet.h",
            guard: "ANET_H",
            sys_includes: vec!["sys/types.h".into(), "stddef.h".into(), "stdint.h".into()],
            prelude: String::new(),
            trailer: s.anet_trailer.into(),
            sources: anet_sources,
            include_types: &[],
            renames: vec![("InStr", s.in_str.into())],
        },
    ];
    if s.groups.contains(&"cluster_frame_check") {
        out.push(Header {
            file: "aenet_cluster_frame.h",
            guard: "AENET_CLUSTER_FRAME_H",
            sys_includes: vec!["stddef.h".into(), "stdint.h".into()],
            prelude: String::new(),
            trailer: String::new(),
            sources: vec!["src/abi/cluster_frame.rs".into(), "src/ffi/cluster_frame.rs".into()],
            include_types: &[],
            renames: vec![],
        });
    }
    if let Some(layout) = s.cluster_layout {
        out.push(Header {
            file: "aenet_cluster_host.h",
            guard: "AENET_CLUSTER_HOST_H",
            sys_includes: vec!["stdint.h".into()],
            prelude: "struct clusterLink;\nstruct aeEventLoop;\n".into(),
            trailer: String::new(),
            sources: vec!["src/abi/cluster_host.rs".into(), "src/ffi/cluster_host.rs".into()],
            include_types: &["aenetClusterHost"],
            // Declared, not defined, here: the host's own headers define them.
            renames: vec![("clusterLink", "struct clusterLink".into()), ("aeEventLoop", "struct aeEventLoop".into())],
        });
        out.push(Header {
            file: "cluster_link.h",
            guard: "AENET_CLUSTER_LINK_H",
            sys_includes: vec!["stddef.h".into(), "stdint.h".into()],
            prelude: "#include \"ae.h\"\n#include \"aenet_cluster_host.h\"\n\n#define CLUSTERMSG_SIG \"RCmb\"\n".into(),
            trailer: String::new(),
            sources: vec![
                "src/abi/cluster.rs".into(),
                format!("src/abi/cluster_{layout}.rs"),
                "src/ffi/cluster.rs".into(),
            ],
            include_types: &["clusterLink", "clusterNode"],
            renames: vec![],
        });
    }
    out
}

fn config(h: &Header) -> cbindgen::Config {
    let mut c = cbindgen::Config {
        language: cbindgen::Language::C,
        style: cbindgen::Style::Both,
        cpp_compat: true,
        usize_is_size_t: true,
        include_guard: Some(h.guard.to_string()),
        no_includes: true,
        sys_includes: h.sys_includes.clone(),
        header: Some(format!(
            "/* Generated by aenet's build.rs with cbindgen from {}. Do not edit. */",
            h.sources.join(" ")
        )),
        ..Default::default()
    };
    if !h.prelude.is_empty() {
        c.after_includes = Some(format!("\n{}", h.prelude));
    }
    if !h.trailer.is_empty() {
        c.trailer = Some(h.trailer.clone());
    }
    c.export.include = h.include_types.iter().map(|s| s.to_string()).collect();
    for (rust, c_spelling) in &h.renames {
        c.export.exclude.push(rust.to_string());
        c.export.rename.insert(rust.to_string(), c_spelling.clone());
    }
    c
}

fn generate(dir: &Path, h: &Header) {
    let mut b = cbindgen::Builder::new().with_config(config(h));
    for src in &h.sources {
        println!("cargo:rerun-if-changed={src}");
        b = b.with_src(src);
    }
    let bindings = match b.generate() {
        Ok(b) => b,
        Err(e) => panic!("cbindgen failed for {}: {e}", h.file),
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    let path = dir.join(h.file);
    if std::fs::read(&path).ok().as_deref() != Some(&text[..]) {
        std::fs::create_dir_all(dir).expect("create include dir");
        std::fs::write(&path, &text).expect("write header");
    }
}

/// Where a generation's headers live: include/ for redis30 (what
/// build/libaenet.a and aenet.pc have always been), include/<gen>/ else.
fn include_dir(s: &Surface) -> PathBuf {
    if s.name == "redis30" { PathBuf::from("include") } else { Path::new("include").join(s.name) }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for dir in ["src/ffi/ae", "src/ffi/anet"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    for s in SURFACES {
        for h in headers(s) {
            generate(&include_dir(s), &h);
        }
    }

    let groups = ALL_GROUPS.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>().join(", ");
    println!("cargo::rustc-check-cfg=cfg(aenet_group, values({groups}))");
    // cargo-fuzz builds with --cfg fuzzing: the fuzz targets reach C entry
    // points of other generations' groups (src/ffi/mod.rs).
    println!("cargo::rustc-check-cfg=cfg(fuzzing)");
    let built: Vec<&Surface> = SURFACES
        .iter()
        .filter(|s| std::env::var_os(format!("CARGO_FEATURE_{}", s.name.to_uppercase())).is_some())
        .collect();
    // src/generation refuses anything but exactly one.
    let Some(s) = built.first() else { return };
    for g in s.groups {
        assert!(ALL_GROUPS.contains(g), "{}: unknown group {g}", s.name);
        println!("cargo:rustc-cfg=aenet_group=\"{g}\"");
    }
    let soname = if s.name == "redis30" { "libaenet.so.0".to_string() } else { format!("libaenet-{}.so.0", s.name) };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    for shim in ["csrc/host_alloc.c", "csrc/host_hooks.c"] {
        println!("cargo:rerun-if-changed={shim}");
    }
    let mut shim = cc::Build::new();
    shim.file("csrc/host_alloc.c").file("csrc/host_hooks.c").warnings(true);
    if s.valkey_alloc {
        shim.define("AENET_HOST_ALLOC_VALKEY", None);
    }
    shim.compile("aenet_shim");
}
