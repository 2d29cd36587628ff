//! `Program::eval` allocates nothing on the hot path (issue: zero allocations per evaluation).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderMap, HeaderValue};
use nsexpr::eval::{HeaderList, HeaderMapRequest};
use nsexpr::{Context, Program};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Only the measuring thread counts: the test harness's own threads may allocate at any time.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator and only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const RULES: &[&str] = &[
    "REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS",
    "REQ.HTTP.HEADER User-Agent NOTCONTAINS CitrixReceiver && REQ.HTTP.HEADER Referer NOTEXISTS",
    "URL == '/images/*.gif' || URL == /cgi-bin/* || URLQUERY CONTAINS x",
    "METHOD != GET && URLLEN < 250 && URLTOKENS == '+,?,%' && ns_non_get",
    "SOURCEIP == 10.0.0.0 -netmask 255.0.0.0 || !(REQ.HTTP.HEADER Cookie CONTAINS nsc_ -offset 1 -length 5)",
    "DAYOFWEEK == SUNDAYGMT || DESTPORT == 443",
    // The advanced headline rule (issue 10) and advanced rules on the value machine (D23-D31).
    r#"HTTP.REQ.HEADER("User-Agent").SET_TEXT_MODE(IGNORECASE).CONTAINS("Worx") && HTTP.REQ.HEADER("X-Citrix-Gateway").EXISTS"#,
    r#"HTTP.REQ.HEADER("Cookie").COUNT < 3 && HTTP.REQ.URL.PATH.STARTSWITH("/images") || CLIENT.IP.SRC.IN_SUBNET(10.0.0.0/8)"#,
    r#"HTTP.REQ.HEADER("User-Agent").AFTER_STR("WorxWeb/").LENGTH > 2 && HTTP.REQ.METHOD.EQ(POST)"#,
];

#[test]
fn evaluation_allocates_nothing() {
    let programs: Vec<Program> = RULES
        .iter()
        .map(|r| Program::new(r).expect("compiles"))
        .collect();
    let mut headers = HeaderMap::new();
    headers.append(
        "user-agent",
        HeaderValue::from_static("Mozilla/5.0 WorxWeb/19.1.5"),
    );
    headers.append(
        "x-citrix-gateway",
        HeaderValue::from_static("gw.example.com"),
    );
    headers.append("cookie", HeaderValue::from_static("NSC_AAAC=1"));
    let view = HeaderMapRequest {
        method: b"POST",
        target: b"/images/a.gif?x=1",
        headers: &headers,
    };
    let pairs: [(&str, &[u8]); 2] = [
        ("User-Agent", b"CitrixReceiver/1"),
        ("Referer", b"https://x/"),
    ];
    let raw = HeaderList {
        method: b"GET",
        target: b"/cgi-bin/a",
        version: b"HTTP/1.1",
        headers: &pairs,
        carried: None,
    };
    let ctx = Context::with_client_ip("10.1.2.3".parse().expect("ip"));

    // Warm up lazily initialised statics outside the measured window.
    for p in &programs {
        p.eval(&view);
        p.eval_with(&raw, &ctx);
    }
    COUNTING.with(|c| c.set(true));
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut hits = 0usize;
    for _ in 0..1_000 {
        for p in &programs {
            hits += usize::from(p.is_match(&view));
            hits += usize::from(p.eval_with(&raw, &ctx) == nsexpr::Verdict::True);
        }
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(false));
    assert!(hits > 0);
    assert_eq!(
        after - before,
        0,
        "evaluation allocated {} times",
        after - before
    );
}
