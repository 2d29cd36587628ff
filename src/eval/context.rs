//! What a request alone does not carry (D13): addresses, TLS, the clock, endpoint-scan answers,
//! the response. Every field is optional; a rule that needs a missing one is UNKNOWN, never a guess.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// The caller-supplied context of one request (D13). Build it from `Context::default()` and set
/// the fields you know.
///
/// ```
/// use nsexpr::eval::{Clock, ContextInput, HeaderList};
/// use nsexpr::{Context, Program, Verdict};
///
/// let program = Program::new("SOURCEIP == 10.0.0.0 -netmask 255.0.0.0 && DAYOFWEEK == MONDAYGMT")?;
/// let request = HeaderList::new("GET", "/", &[("Host", "gw")]);
/// // Without context the rule depends on what the request cannot tell: UNKNOWN.
/// assert_eq!(program.eval(&request), Verdict::Unknown);
///
/// let mut context = Context::with_client_ip("10.1.2.3".parse()?);
/// assert_eq!(program.missing_inputs(&context), [ContextInput::Clock]);
/// context.clock = Some(Clock { unix: 1_274_708_297, local_offset: None }); // Monday 24 May 2010
/// assert_eq!(program.eval_with(&request, &context), Verdict::True);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Context {
    /// The client connection as NetScaler sees it (`REQ.IP.*`, `REQ.TCP.*`, `REQ.ETHER.*`, `REQ.VLANID`).
    pub request_net: NetInfo,
    /// The server-side connection (`RES.IP.*`, `RES.TCP.*`, ...), known only at response time.
    pub response_net: NetInfo,
    /// TLS facts; `None` = unknown.
    pub tls: Option<TlsInfo>,
    /// The clock for `DATE`, `TIME`, `DAYOFWEEK`; `None` = unknown.
    pub clock: Option<Clock>,
    /// The client's `LOCATION` string, such as `Europe.Germany.*.*.*.*`.
    pub location: Option<String>,
    /// Verdicts of client-security (EPA) and `FS.*` terms, keyed by their exact text (D13).
    pub opaque_verdicts: BTreeMap<String, bool>,
    /// The response, when rules with `RES.HTTP.*` are evaluated at response time.
    pub response: Option<ResponseInfo>,
    /// The authenticated user name (`AAA.USER.NAME`; user bind points in the simulator);
    /// `None` = unknown, or no user bind point applies.
    pub user: Option<String>,
    /// The user's groups in the order authentication returned them (`AAA.USER.IS_MEMBER_OF`,
    /// group bind points); `None` = unknown.
    pub groups: Option<Vec<String>>,
}

/// Network facts of one side of a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct NetInfo {
    /// `SOURCEIP` (for the request side: the client address).
    pub source_ip: Option<IpAddr>,
    /// `DESTIP` (for the request side: usually the vserver address).
    pub dest_ip: Option<IpAddr>,
    /// `SOURCEPORT`
    pub source_port: Option<u16>,
    /// `DESTPORT`
    pub dest_port: Option<u16>,
    /// `MSS`
    pub mss: Option<u64>,
    /// `SOURCEMAC`
    pub source_mac: Option<[u8; 6]>,
    /// `DESTMAC`
    pub dest_mac: Option<[u8; 6]>,
    /// Interface `ID` such as `1/1`.
    pub interface_id: Option<String>,
    /// `RXTHROUGHPUT`
    pub rx_throughput: Option<u64>,
    /// `TXTHROUGHPUT`
    pub tx_throughput: Option<u64>,
    /// `RXTXTHROUGHPUT`
    pub rxtx_throughput: Option<u64>,
    /// `VLANID`
    pub vlan: Option<u64>,
}

/// TLS facts of the client connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TlsInfo {
    /// Protocol version as NetScaler encodes it (0x300 SSLv3, 0x301 TLSv1, ...).
    pub version: Option<u64>,
    /// Cipher strength in bits.
    pub cipher_bits: Option<u64>,
    /// Whether the cipher is an export cipher.
    pub exportable: Option<bool>,
    /// The client certificate: `None` = unknown, `Some(None)` = the client sent none (D7 absent).
    pub client_cert: Option<Option<ClientCert>>,
}

/// Client-certificate fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClientCert {
    /// The whole certificate text, for `REQ.SSL.CLIENT.CERT` text operators.
    pub text: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number.
    pub serial: String,
    /// Signature algorithm.
    pub sigalgo: String,
    /// X.509 version.
    pub version: u64,
    /// Not before, Unix seconds.
    pub not_before: i64,
    /// Not after, Unix seconds.
    pub not_after: i64,
}

/// The clock: a Unix time plus, optionally, the local offset for non-GMT date literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Clock {
    /// Seconds since the Unix epoch, UTC.
    pub unix: i64,
    /// Local offset from UTC in seconds; `None` makes non-`GMT` literals UNKNOWN.
    pub local_offset: Option<i32>,
}

/// A response, for `RES.HTTP.*` qualifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ResponseInfo {
    /// Status code.
    pub status: Option<u64>,
    /// Version text such as `HTTP/1.1`.
    pub version: Option<String>,
    /// Headers in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Context {
    /// The context that knows nothing, which the plain evaluation methods use: every context
    /// qualifier is UNKNOWN.
    pub fn empty() -> &'static Context {
        const NOTHING: NetInfo = NetInfo {
            source_ip: None,
            dest_ip: None,
            source_port: None,
            dest_port: None,
            mss: None,
            source_mac: None,
            dest_mac: None,
            interface_id: None,
            rx_throughput: None,
            tx_throughput: None,
            rxtx_throughput: None,
            vlan: None,
        };
        static EMPTY: Context = Context {
            request_net: NOTHING,
            response_net: NOTHING,
            tls: None,
            clock: None,
            location: None,
            opaque_verdicts: BTreeMap::new(),
            response: None,
            user: None,
            groups: None,
        };
        &EMPTY
    }

    /// A context that knows only the client address.
    pub fn with_client_ip(ip: IpAddr) -> Context {
        let mut ctx = Context::default();
        ctx.request_net.source_ip = Some(ip);
        ctx
    }
}
