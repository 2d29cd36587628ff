//! The context inputs a rule may need (D13), and the small set the compiler collects them in.

use std::collections::BTreeSet;
use std::fmt;

/// The kinds of context input a rule can depend on; reported for UNKNOWN verdicts (D20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ContextInput {
    /// Client (source) IP.
    ClientIp,
    /// Destination IP.
    DestIp,
    /// Client port.
    ClientPort,
    /// Destination port.
    DestPort,
    /// TCP MSS.
    Mss,
    /// MAC addresses.
    Mac,
    /// Interface id and throughput.
    Interface,
    /// VLAN id.
    Vlan,
    /// Geo location.
    Location,
    /// TLS version and cipher.
    Tls,
    /// Client certificate.
    ClientCert,
    /// The clock.
    Clock,
    /// The local time zone offset.
    LocalTimeZone,
    /// Endpoint-analysis (client-security) scan results.
    ClientSecurity,
    /// `FS.*` terms.
    FileSystem,
    /// The response (status, headers, server-side connection).
    Response,
    /// The authenticated user name.
    AaaUser,
    /// The user's groups.
    AaaGroups,
    /// Headers a partial record (an access-log line) does not carry.
    Headers,
}

impl ContextInput {
    /// The snake-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextInput::ClientIp => "client_ip",
            ContextInput::DestIp => "dest_ip",
            ContextInput::ClientPort => "client_port",
            ContextInput::DestPort => "dest_port",
            ContextInput::Mss => "mss",
            ContextInput::Mac => "mac",
            ContextInput::Interface => "interface",
            ContextInput::Vlan => "vlan",
            ContextInput::Location => "location",
            ContextInput::Tls => "tls",
            ContextInput::ClientCert => "client_cert",
            ContextInput::Clock => "clock",
            ContextInput::LocalTimeZone => "local_time_zone",
            ContextInput::ClientSecurity => "client_security",
            ContextInput::FileSystem => "file_system",
            ContextInput::Response => "response",
            ContextInput::AaaUser => "aaa_user",
            ContextInput::AaaGroups => "aaa_groups",
            ContextInput::Headers => "headers",
        }
    }
}

impl fmt::Display for ContextInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ContextInput {
    /// Every input, in the order of the enum (bit `i` of an [`InputSet`] is `ALL[i]`).
    const ALL: [ContextInput; 19] = [
        ContextInput::ClientIp,
        ContextInput::DestIp,
        ContextInput::ClientPort,
        ContextInput::DestPort,
        ContextInput::Mss,
        ContextInput::Mac,
        ContextInput::Interface,
        ContextInput::Vlan,
        ContextInput::Location,
        ContextInput::Tls,
        ContextInput::ClientCert,
        ContextInput::Clock,
        ContextInput::LocalTimeZone,
        ContextInput::ClientSecurity,
        ContextInput::FileSystem,
        ContextInput::Response,
        ContextInput::AaaUser,
        ContextInput::AaaGroups,
        ContextInput::Headers,
    ];
}

/// A set of context inputs as bits: named expressions compiled once carry theirs to every use
/// without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct InputSet(u32);

impl InputSet {
    pub(crate) fn insert(&mut self, input: ContextInput) {
        let bit = ContextInput::ALL.iter().position(|i| *i == input);
        debug_assert!(bit.is_some(), "ContextInput::ALL lists every input");
        if let Some(bit) = bit {
            self.0 |= 1 << bit;
        }
    }

    pub(crate) fn union(self, other: InputSet) -> InputSet {
        InputSet(self.0 | other.0)
    }

    pub(crate) fn to_set(self) -> BTreeSet<ContextInput> {
        ContextInput::ALL
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, input)| *input)
            .collect()
    }
}
